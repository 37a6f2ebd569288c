/**
 * A Postgres server of the test's own (its own data folder and port) that the test may stop and
 * start again, unlike the shared one every other test uses. Migrated and seeded like `pnpm start`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresBinDir, run } from '../../../../scripts/lib/services.ts';
import { migrateAndSeed } from '../../../../scripts/lib/stack.ts';
import { freePort } from './free-port.ts';

export async function startOwnPostgres() {
  const bin = postgresBinDir(() => {});
  const dir = mkdtempSync(join(tmpdir(), 'dolly-own-pg-'));
  // initdb and pg_ctl refuse to run as root: `run` switches to the postgres user, who owns the folder.
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const pg = (tool: string, args: string[]) => run(join(bin, tool), args, { asPostgres: true });
  pg('initdb', ['-D', data, '-U', 'dolly', '-A', 'trust', '-E', 'UTF8', '--no-locale']);
  const port = await freePort();
  const url = `postgresql://dolly@127.0.0.1:${port}/postgres`;
  const start = () =>
    pg('pg_ctl', [
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
  const stop = () => pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
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
