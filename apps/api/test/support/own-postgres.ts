/**
 * A Postgres server of the test's own (its own data folder and port) that the test may stop and
 * start again, unlike the shared one every other test uses. Migrated and seeded like `pnpm start`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateAndSeed } from '../../../../scripts/lib/stack.ts';

const isRoot = () => process.getuid?.() === 0;

function binDir(): string {
  const base = '/usr/lib/postgresql';
  const version = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))[0]
    : undefined;
  if (!version) throw new Error('postgresql binaries not found under /usr/lib/postgresql');
  return join(base, version, 'bin');
}

/** initdb and pg_ctl refuse to run as root: run them as the postgres system user then. */
function pg(bin: string, args: string[]) {
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const res = spawnSync(file, argv, { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${bin} ${args.join(' ')}: ${res.stderr || res.stdout}`);
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return p;
}

export async function startOwnPostgres() {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'dolly-own-pg-'));
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  pg(join(bin, 'initdb'), ['-D', data, '-U', 'dolly', '-A', 'trust', '-E', 'UTF8', '--no-locale']);
  const port = await freePort();
  const url = `postgresql://dolly@127.0.0.1:${port}/postgres`;
  const start = () =>
    pg(join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  // `immediate` is the closest to a crash pg_ctl offers: connections are cut, no clean checkpoint.
  const stop = () => pg(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
  start();
  migrateAndSeed(url);
  return {
    url,
    start,
    stop,
    close() {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
