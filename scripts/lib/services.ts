/**
 * The local stack without Docker: Postgres and Redis from the system's binaries on loopback,
 * data under .dolly/ (git-ignored). Used by `pnpm start`, `pnpm test` and CI.
 *
 * - DATABASE_URL / REDIS_URL set: use them as they are (wait until they answer).
 * - Otherwise start our own servers on 127.0.0.1:55432 / 56379, installing the Debian packages
 *   first when the binaries are missing and we are root.
 * - Idempotent: a server that already answers on our port is reused and left running on exit;
 *   only what this call started is stopped by `stop()`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync, chownSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

export const LOCAL_PG_PORT = 55432;
export const LOCAL_REDIS_PORT = 56379;
export const LOCAL_DATABASE_URL = `postgresql://dolly@127.0.0.1:${LOCAL_PG_PORT}/dolly`;
export const LOCAL_REDIS_URL = `redis://127.0.0.1:${LOCAL_REDIS_PORT}`;

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  /** Stops what this call started (nothing when the servers were already there). */
  stop(): void;
}

type Log = (line: string) => void;

const isRoot = () => process.getuid?.() === 0;

export function run(cmd: string, args: string[], opts: { asPostgres?: boolean; allowFail?: boolean } = {}) {
  const [file, argv] =
    opts.asPostgres && isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const res = spawnSync(file, argv as string[], { encoding: 'utf8' });
  if (res.status !== 0 && !opts.allowFail) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${res.status}): ${res.stderr || res.stdout || res.error?.message}`,
    );
  }
  return res;
}

function aptInstall(pkg: string, log: Log) {
  if (!isRoot())
    throw new Error(`${pkg} is not installed; install it (apt-get install ${pkg}) or set the URL env var`);
  log(`installing ${pkg} with apt-get…`);
  execFileSync(
    'bash',
    ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`],
    {
      stdio: 'inherit',
    },
  );
}

export function postgresBinDir(log: Log): string {
  const find = () => {
    const base = '/usr/lib/postgresql';
    if (!existsSync(base)) return undefined;
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    return versions[0] ? join(base, versions[0], 'bin') : undefined;
  };
  let dir = find();
  if (!dir) {
    aptInstall('postgresql', log);
    dir = find();
  }
  if (!dir) throw new Error('postgresql binaries not found after install');
  return dir;
}

function commandExists(cmd: string) {
  return spawnSync('bash', ['-c', `command -v ${cmd}`]).status === 0;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer within ${timeoutMs / 1000}s`);
}

function pgAnswers(bin: string, url: string) {
  return spawnSync(join(bin, 'pg_isready'), ['-d', url, '-t', '2']).status === 0;
}

function redisAnswers(url: string) {
  const res = spawnSync('redis-cli', ['-u', url, 'ping'], { encoding: 'utf8' });
  return res.status === 0 && res.stdout.trim() === 'PONG';
}

async function ensurePostgres(
  root: string,
  log: Log,
  durable: boolean,
): Promise<{ url: string; stop?: () => void }> {
  const bin = postgresBinDir(log);
  const external = process.env.DATABASE_URL;
  if (external) {
    await waitFor('Postgres at DATABASE_URL', () => pgAnswers(bin, external));
    return { url: external };
  }
  const adminUrl = `postgresql://dolly@127.0.0.1:${LOCAL_PG_PORT}/postgres`;
  if (pgAnswers(bin, adminUrl)) {
    log(`Postgres already running on 127.0.0.1:${LOCAL_PG_PORT}; reusing it`);
    ensureDatabase(bin, 'dolly');
    return { url: LOCAL_DATABASE_URL };
  }
  const dataDir = join(root, '.dolly', 'pg');
  const sockDir = join(root, '.dolly', 'pg-socket');
  mkdirSync(sockDir, { recursive: true });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log('initialising a Postgres data folder in .dolly/pg');
    mkdirSync(dataDir, { recursive: true });
    // initdb refuses to run as root: the data folder belongs to the postgres system user.
    chmodSync(dataDir, 0o700);
    const owner = isRoot() ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) : undefined;
    if (owner !== undefined) {
      const group = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dataDir, owner, group);
    }
    // Trust on loopback only: this is the local development/test server, never production.
    run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'dolly', '-A', 'trust', '-E', 'UTF8', '--no-locale'], {
      asPostgres: true,
    });
  }
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(sockDir, uid, gid);
  }
  log(`starting Postgres on 127.0.0.1:${LOCAL_PG_PORT}`);
  run(
    join(bin, 'pg_ctl'),
    [
      '-D',
      dataDir,
      '-l',
      join(dataDir, 'server.log'),
      '-w',
      '-o',
      `-p ${LOCAL_PG_PORT} -k ${sockDir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=${durable ? 'on' : 'off'}`,
      'start',
    ],
    { asPostgres: true },
  );
  await waitFor('Postgres', () => pgAnswers(bin, adminUrl));
  ensureDatabase(bin, 'dolly');
  return {
    url: LOCAL_DATABASE_URL,
    stop: () => {
      log('stopping Postgres');
      run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], {
        asPostgres: true,
        allowFail: true,
      });
    },
  };
}

/** Creates a database on the local server when it does not exist yet. */
export function ensureDatabase(bin: string, name: string) {
  const exists = spawnSync(
    join(bin, 'psql'),
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(LOCAL_PG_PORT),
      '-U',
      'dolly',
      '-d',
      'postgres',
      '-tAc',
      `SELECT 1 FROM pg_database WHERE datname='${name}'`,
    ],
    { encoding: 'utf8' },
  );
  if (exists.stdout.trim() !== '1') {
    run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(LOCAL_PG_PORT), '-U', 'dolly', name]);
  }
}

/** Creates (or empties) a database next to `dolly` on the same server and returns its URL. */
export function freshDatabaseUrl(baseUrl: string, name: string): string {
  const url = new URL(baseUrl);
  const admin = new URL(baseUrl);
  admin.pathname = '/postgres';
  const psql = (sql: string) => run('psql', [admin.toString(), '-v', 'ON_ERROR_STOP=1', '-qtAc', sql]);
  psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  psql(`CREATE DATABASE "${name}"`);
  url.pathname = `/${name}`;
  return url.toString();
}

async function ensureRedis(root: string, log: Log): Promise<{ url: string; stop?: () => void }> {
  const external = process.env.REDIS_URL;
  if (!commandExists('redis-server') || !commandExists('redis-cli')) aptInstall('redis-server', log);
  if (external) {
    await waitFor('Redis at REDIS_URL', () => redisAnswers(external));
    return { url: external };
  }
  if (redisAnswers(LOCAL_REDIS_URL)) {
    log(`Redis already running on 127.0.0.1:${LOCAL_REDIS_PORT}; reusing it`);
    return { url: LOCAL_REDIS_URL };
  }
  const dir = join(root, '.dolly', 'redis');
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'redis.conf');
  // AOF and noeviction: BullMQ must never lose or evict job data (same as docker-compose).
  writeFileSync(
    conf,
    [
      `port ${LOCAL_REDIS_PORT}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'appendonly yes',
      'maxmemory-policy noeviction',
      'daemonize yes',
      `pidfile ${join(dir, 'redis.pid')}`,
      `logfile ${join(dir, 'redis.log')}`,
      'save ""',
    ].join('\n'),
  );
  log(`starting Redis on 127.0.0.1:${LOCAL_REDIS_PORT}`);
  run('redis-server', [conf]);
  await waitFor('Redis', () => redisAnswers(LOCAL_REDIS_URL));
  return {
    url: LOCAL_REDIS_URL,
    stop: () => {
      log('stopping Redis');
      run('redis-cli', ['-u', LOCAL_REDIS_URL, 'shutdown', 'nosave'], { allowFail: true });
    },
  };
}

export interface ServiceOptions {
  /**
   * Postgres with fsync on: a power cut cannot lose a committed run. Tests leave it off for
   * speed (their databases are thrown away); `pnpm start` turns it on.
   */
  durable?: boolean;
}

export async function ensureServices(
  root: string,
  log: Log = (l) => console.log(`[services] ${l}`),
  opts: ServiceOptions = {},
): Promise<Services> {
  const pg = await ensurePostgres(root, log, opts.durable ?? false);
  const redis = await ensureRedis(root, log);
  let stopped = false;
  return {
    databaseUrl: pg.url,
    redisUrl: redis.url,
    stop: () => {
      if (stopped) return;
      stopped = true;
      redis.stop?.();
      pg.stop?.();
    },
  };
}
