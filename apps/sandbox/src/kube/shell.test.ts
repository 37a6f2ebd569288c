import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { VolumeFile } from './cluster.ts';
import { readsStdin, runExec, Vfs } from './shell.ts';
import { readTar } from './tar.ts';

const file = (path: string, data: string, mode = 0o600): VolumeFile => ({
  path,
  type: 'file',
  mode,
  uid: 999,
  gid: 999,
  mtime: 1_700_000_000,
  data: Buffer.from(data),
});

describe('shell', () => {
  const src = new Map([
    ['PG_VERSION', file('PG_VERSION', '16\n')],
    ['base/1/1259', file('base/1/1259', 'x'.repeat(9000))],
  ]);
  const dst = new Map<string, VolumeFile>();
  const vfs = new Vfs(
    [
      { path: '/src', store: src, readOnly: false },
      { path: '/dst', store: dst, readOnly: false },
    ],
    new Map(),
    () => 1_700_000_100,
  );
  it('tars up a directory and extracts it elsewhere', () => {
    const c = runExec(vfs, ['tar', 'cf', '-', '-C', '/src', '.'], Buffer.alloc(0), () => 0);
    expect(c.code).toBe(0);
    expect(readTar(c.stdout).map((e) => e.name)).toEqual(
      ['./', './PG_VERSION', './base', './base/1', './base/1/1259'].map((n) => (n === './' ? '.' : n)),
    );
    const x = runExec(vfs, ['tar', 'xf', '-', '-C', '/dst'], c.stdout, () => 0);
    expect(x.code).toBe(0);
    expect(dst.get('base/1/1259')?.data.length).toBe(9000);
    expect(dst.get('PG_VERSION')?.mode).toBe(0o600);
  });
  it('lists checksums with find + sha256sum', () => {
    const r = runExec(
      vfs,
      ['sh', '-c', 'cd /dst && find . -type f -exec sha256sum {} + | sort'],
      Buffer.alloc(0),
      () => 0,
    );
    const h = createHash('sha256').update('16\n').digest('hex');
    expect(r.stdout.toString()).toContain(`${h}  ./PG_VERSION`);
    expect(r.stdout.toString().trim().split('\n')).toHaveLength(2);
    expect(runExec(vfs, ['sh', '-c', 'cd /nope || exit 3'], Buffer.alloc(0), () => 0).code).toBe(3);
    expect(runExec(vfs, ['nosuch'], Buffer.alloc(0), () => 0).code).toBe(127);
  });
  it('knows which commands read stdin', () => {
    expect(readsStdin(['tar', 'xf', '-', '-C', '/d'])).toBe(true);
    expect(readsStdin(['sh', '-c', 'tar -xzf - -C /d'])).toBe(true);
    expect(readsStdin(['tar', 'cf', '-', '.'])).toBe(false);
  });
  it('writes through subPath mounts into the volume', () => {
    const vol = new Map<string, VolumeFile>();
    const sub = new Vfs(
      [{ path: '/pgdata', store: vol, readOnly: false, subPath: 'pg' }],
      new Map(),
      () => 1,
    );
    expect(
      runExec(
        sub,
        ['sh', '-c', 'echo hi > /pgdata/a && cat /pgdata/a'],
        Buffer.alloc(0),
        () => 1,
      ).stdout.toString(),
    ).toBe('hi\n');
    expect(vol.get('pg/a')?.data.toString()).toBe('hi\n');
  });
});
