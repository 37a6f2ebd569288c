/** Demo data: tenant `demo` with one user per role and tenant `other` for isolation checks. Idempotent. */
import { hash } from '@node-rs/argon2';
import { type Role, createDatabase, credentialVaultFromEnv } from '@dolly/db';
import { registerSandboxAccounts } from './sandbox-accounts.ts';

export const DEMO_PASSWORD = 'dolly-demo';
export const demoUsers: { email: string; name: string; tenant: string; role: Role }[] = [
  { email: 'owner@demo.dolly', name: 'Olivia Owner', tenant: 'demo', role: 'owner' },
  { email: 'admin@demo.dolly', name: 'Adam Admin', tenant: 'demo', role: 'admin' },
  { email: 'operator@demo.dolly', name: 'Oscar Operator', tenant: 'demo', role: 'operator' },
  { email: 'developer@demo.dolly', name: 'Dana Developer', tenant: 'demo', role: 'developer' },
  { email: 'viewer@demo.dolly', name: 'Victor Viewer', tenant: 'demo', role: 'viewer' },
  { email: 'owner@other.dolly', name: 'Otto Other', tenant: 'other', role: 'owner' },
];

export async function seedDemo(databaseUrl: string, opts: { sandboxUrl?: string } = {}) {
  const db = createDatabase(databaseUrl);
  try {
    const tenants = {
      demo: await db.tenant.upsert({
        where: { slug: 'demo' },
        update: {},
        create: { slug: 'demo', name: 'Demo' },
      }),
      other: await db.tenant.upsert({
        where: { slug: 'other' },
        update: {},
        create: { slug: 'other', name: 'Other Co' },
      }),
    };
    const passwordHash = await hash(DEMO_PASSWORD);
    for (const u of demoUsers) {
      const user = await db.user.upsert({
        where: { email: u.email },
        update: {},
        create: { email: u.email, name: u.name, passwordHash },
      });
      const tenant = tenants[u.tenant as keyof typeof tenants];
      await db.membership.upsert({
        where: { tenantId_userId: { tenantId: tenant.id, userId: user.id } },
        update: { role: u.role },
        create: { tenantId: tenant.id, userId: user.id, role: u.role },
      });
    }
    const accounts = opts.sandboxUrl
      ? await registerSandboxAccounts(db, credentialVaultFromEnv(), tenants.demo.id, opts.sandboxUrl)
      : [];
    return { tenants, accounts };
  } finally {
    await db.$disconnect();
  }
}
