/**
 * `prisma db seed` / `pnpm db:seed`: the demo tenants and users (see apps/api/src/modules/demo).
 * Demo mode only: refuses to run with NODE_ENV=production unless DOLLY_DEMO=true.
 */
import { DEMO_PASSWORD, demoUsers, seedDemo } from '../apps/api/src/modules/demo/seed.ts';

if (process.env.NODE_ENV === 'production' && process.env.DOLLY_DEMO !== 'true') {
  console.error('Refusing to seed demo users in production (set DOLLY_DEMO=true for a demo installation).');
  process.exit(1);
}
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set');
  process.exit(1);
}
const { accounts } = await seedDemo(
  url,
  process.env.SANDBOX_URL ? { sandboxUrl: process.env.SANDBOX_URL } : {},
);
console.log(
  `Seeded tenants demo and other; users ${demoUsers.map((u) => u.email).join(', ')} (password ${DEMO_PASSWORD})`,
);
if (accounts.length) console.log(`Demo tenant cloud accounts on the sandbox: ${accounts.join(', ')}`);
