/**
 * `pnpm services [up|down|status]`: start the local Postgres and Redis in the background and
 * leave them running (up), stop them (down), or say what answers (status).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureServices, LOCAL_DATABASE_URL, LOCAL_REDIS_URL } from './lib/services.ts';
import { repoRoot } from './lib/paths.ts';

const command = process.argv[2] ?? 'up';
if (command === 'up') {
  const services = await ensureServices(repoRoot);
  console.log(`DATABASE_URL=${services.databaseUrl}\nREDIS_URL=${services.redisUrl}`);
} else if (command === 'down') {
  spawnSync('redis-cli', ['-u', LOCAL_REDIS_URL, 'shutdown', 'nosave'], { stdio: 'inherit' });
  const asPg = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const pgCtl = spawnSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1'], {
    encoding: 'utf8',
  }).stdout.trim();
  const [file, ...args] = [
    ...asPg,
    join(pgCtl, 'pg_ctl'),
    '-D',
    join(repoRoot, '.dolly', 'pg'),
    '-m',
    'fast',
    'stop',
  ];
  spawnSync(file!, args, { stdio: 'inherit' });
} else if (command === 'status') {
  const pg = spawnSync('pg_isready', ['-d', LOCAL_DATABASE_URL], { encoding: 'utf8' });
  const redis = spawnSync('redis-cli', ['-u', LOCAL_REDIS_URL, 'ping'], { encoding: 'utf8' });
  console.log(
    `postgres: ${pg.status === 0 ? 'up' : 'down'}\nredis: ${redis.stdout.trim() === 'PONG' ? 'up' : 'down'}`,
  );
} else {
  console.error(`unknown command ${command}: use up, down or status`);
  process.exit(2);
}
