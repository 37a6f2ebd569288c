/**
 * `pnpm dolly-admin <command>`: installation tasks run by the operator, with the same
 * DATABASE_URL and DOLLY_SECRET_KEYS as the API and workers.
 *   reseal                  re-seal every stored credential under the current (first) key of DOLLY_SECRET_KEYS
 *   allow-password <tenant> turn password sign-in back on for a tenant whose single sign-on is
 *                           broken (the recovery path of docs/sso.md); audited
 */
import 'dotenv/config';
import { createDatabase, credentialVaultFromEnv, resealAll } from '../packages/db/src/index.ts';

const command = process.argv[2];
const tenantSlug = process.argv[3];
if (command !== 'reseal' && !(command === 'allow-password' && tenantSlug)) {
  console.error(
    `usage: pnpm dolly-admin reseal | allow-password <tenant-slug>${command ? ` (not understood: "${process.argv.slice(2).join(' ')}")` : ''}`,
  );
  process.exit(2);
}
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL: not set (the same value the API and workers use)');
  process.exit(2);
}
const db = createDatabase(url);
try {
  if (command === 'allow-password') await allowPassword(tenantSlug as string);
  else await reseal();
} catch (error) {
  console.error(`${command} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}

/** The operator's way back in when a tenant's identity provider is broken or misconfigured. */
async function allowPassword(slug: string) {
  const tenant = await db.tenant.findUnique({ where: { slug }, include: { sso: true } });
  if (!tenant) throw new Error(`no tenant ${slug}`);
  // a tenant without its own sign-in follows the installation's, which the API's environment decides
  if (!tenant.sso) {
    console.log(
      `tenant ${slug} has no single sign-on of its own: if the installation's turns passwords off (DOLLY_SSO_PASSWORD_SIGN_IN=disabled), set DOLLY_SSO_PASSWORD_SIGN_IN=enabled in the API's environment and restart it`,
    );
    if (process.env.DOLLY_SSO_PASSWORD_SIGN_IN === 'disabled') process.exitCode = 1;
    return;
  }
  if (!tenant.sso?.passwordSignInDisabled) {
    console.log(`tenant ${slug} already allows password sign-in`);
    return;
  }
  await db.ssoConfig.update({ where: { tenantId: tenant.id }, data: { passwordSignInDisabled: false } });
  await db.auditEntry.create({
    data: {
      tenantId: tenant.id,
      action: 'sso.password_allowed',
      outcome: 'success',
      targetType: 'sso',
      detail: { by: 'pnpm dolly-admin allow-password' },
    },
  });
  console.log(`tenant ${slug}: password sign-in is allowed again (single sign-on stays on)`);
}

async function reseal() {
  const vault = credentialVaultFromEnv(process.env);
  const report = await resealAll(db, vault);
  console.log(
    `re-sealed ${report.resealed} credential(s) under key ${vault.currentKeyId}; ${report.current} already used it`,
  );
  console.log('Once every API and worker runs with the new key first, the old key can be removed.');
}
