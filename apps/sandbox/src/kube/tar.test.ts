import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTar, writeTar } from './tar.ts';

describe('tar', () => {
  const entries = [
    {
      name: './',
      type: 'dir' as const,
      mode: 0o755,
      uid: 999,
      gid: 999,
      mtime: 1_700_000_000,
      data: Buffer.alloc(0),
    },
    {
      name: './PG_VERSION',
      type: 'file' as const,
      mode: 0o600,
      uid: 999,
      gid: 999,
      mtime: 1_700_000_000,
      data: Buffer.from('16\n'),
    },
    {
      name: `./deep/${'x'.repeat(120)}/file`,
      type: 'file' as const,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: 1_700_000_001,
      data: Buffer.alloc(1300, 7),
    },
    {
      name: `./${'y'.repeat(180)}`,
      type: 'file' as const,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: 1_700_000_001,
      data: Buffer.from('long'),
    },
  ];
  it('round-trips through its own reader', () => {
    const back = readTar(writeTar(entries));
    expect(back.map((e) => e.name)).toEqual([
      '.',
      './PG_VERSION',
      `./deep/${'x'.repeat(120)}/file`,
      `./${'y'.repeat(180)}`,
    ]);
    expect(back[1]!.data.toString()).toBe('16\n');
    expect(back[1]!.mode).toBe(0o600);
    expect(back[2]!.data.length).toBe(1300);
  });
  it('is readable by system tar when present', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-tar-'));
    const file = join(dir, 'a.tar');
    writeFileSync(file, writeTar(entries));
    let listing = '';
    try {
      listing = execFileSync('tar', ['tf', file]).toString();
    } catch {
      return;
    }
    expect(listing).toContain('./PG_VERSION');
    expect(listing).toContain('y'.repeat(180));
    const made = join(dir, 'made.tar');
    execFileSync('sh', [
      '-c',
      `mkdir -p ${dir}/src/sub && printf hello > ${dir}/src/sub/f && tar cf ${made} -C ${dir}/src .`,
    ]);
    const parsed = readTar(execFileSync('cat', [made]));
    expect(parsed.find((e) => e.name === './sub/f')?.data.toString()).toBe('hello');
  });
});
