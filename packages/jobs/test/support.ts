import { randomUUID } from 'node:crypto';
import type { RunStatus } from '@dolly/contracts';
import { type Database, createDatabase } from '@dolly/db';
import { type Redis, createRedis } from '../src/redis.ts';

function required(name: 'DATABASE_URL' | 'REDIS_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through \`pnpm test --only integration\``);
  return value;
}

/** A short random suffix, so names, run ids and key prefixes of parallel runs never collide. */
export const unique = () => randomUUID().slice(0, 8);

/**
 * The real Postgres and Redis of `pnpm test` (DATABASE_URL / REDIS_URL), with a tenant of this
 * file's own: every run it creates hangs off that tenant, and deleting it cascades to runs,
 * steps and events.
 */
export async function startServices(label: string) {
  const db: Database = createDatabase(required('DATABASE_URL'), { maxConnections: 5 });
  const connections: Redis[] = [];
  const slug = `jobs-test-${label}-${unique()}`;
  const tenant = await db.tenant.create({ data: { slug, name: slug } });
  return {
    db,
    tenant,
    /** A new Redis connection, closed with the rest. */
    redis(name: string): Redis {
      const connection = createRedis(required('REDIS_URL'), `jobs-test-${label}-${name}`);
      connections.push(connection);
      return connection;
    },
    newRun(status: RunStatus = 'queued') {
      return db.run.create({ data: { tenantId: tenant.id, kind: 'selftest', status, input: {} } });
    },
    async close() {
      await db.tenant.deleteMany({ where: { id: tenant.id } });
      for (const c of connections) c.disconnect();
      await db.$disconnect();
    },
  };
}

export type Services = Awaited<ReturnType<typeof startServices>>;

/** Resolves once `predicate` holds, polling; rejects after `timeoutMs` with `what` in the message. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Collects the messages published on some channels, on a subscriber connection of its own. */
export async function listen(subscriber: Redis, ...channels: string[]) {
  const messages: { channel: string; message: string }[] = [];
  subscriber.on('message', (channel: string, message: string) => messages.push({ channel, message }));
  await subscriber.subscribe(...channels);
  return messages;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
