import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type Database = InstanceType<typeof PrismaClient>;

/**
 * One Prisma client per process, on the pg driver adapter: the Rust query engine cannot be
 * downloaded in our build environments, so the client runs its WASM query compiler.
 */
export function createDatabase(databaseUrl: string, opts: { maxConnections?: number } = {}): Database {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.maxConnections ?? 10 });
  return new PrismaClient({ adapter });
}

/** Cheap liveness probe used by /readyz. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
