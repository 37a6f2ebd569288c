import 'dotenv/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

// Same default as the local stack (scripts/services.ts); generate needs a URL even offline.
process.env.DATABASE_URL ??= 'postgresql://dolly@127.0.0.1:55432/dolly';

// The Rust engines cannot be downloaded in our build environments, so Prisma runs on its
// WASM/JS engines with the pg driver adapter (see README, "Database").
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'tsx prisma/seed.ts' },
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error('DATABASE_URL is not set');
    return new PrismaPg({ connectionString });
  },
});
