import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledCatalog, clonePlanSchema, validatePlan } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/stack.ts';

// `npm pack` of apps/cli, unpacked far from the repository (no node_modules, no tsx): it must run.
let dir: string;
let pkg: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dolly-cli-pack-'));
  const pack = spawnSync('npm', ['pack', '--pack-destination', dir], {
    cwd: join(repoRoot, 'apps/cli'),
    encoding: 'utf8',
  });
  expect(pack.status, pack.stderr).toBe(0);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  expect(spawnSync('tar', ['xzf', tarball!], { cwd: dir }).status).toBe(0);
  pkg = join(dir, 'package');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[]) =>
  spawnSync(process.execPath, [join(pkg, 'bin/dolly.mjs'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1' },
  });

describe('the packed CLI', () => {
  it('carries the bundle and the launcher, not the TypeScript sources', () => {
    expect(existsSync(join(pkg, 'bin/dolly.mjs'))).toBe(true);
    expect(existsSync(join(pkg, 'dist/dolly.mjs'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
  });

  it('runs an offline plan with nothing but Node', () => {
    copyFileSync(join(repoRoot, 'examples/eks-payments-staging.json'), join(dir, 'source.json'));
    const r = run(['plan', '--source', 'source.json', '--target-cloud', 'gcp']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(validatePlan(clonePlanSchema.parse(JSON.parse(r.stdout)), bundledCatalog).ok).toBe(true);
  });

  it('answers --help and --version, and says how to log in', () => {
    expect(run(['--version']).stdout.trim()).toBe('0.1.0');
    expect(run(['--help']).stdout).toMatch(/dolly login/);
    const r = run(['clusters', 'list']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not logged in/);
  });
});
