/**
 * `pnpm dolly-admin <command>`: installation tasks run by the operator, with the same
 * DATABASE_URL and DOLLY_SECRET_KEYS as the API and workers.
 *   reseal   re-seal every stored credential under the current (first) key of DOLLY_SECRET_KEYS
 */
import 'dotenv/config';
import { createDatabase, credentialVaultFromEnv, resealAll } from '../packages/db/src/index.ts';

const command = process.argv[2];
if (command !== 'reseal') {
  console.error(`usage: pnpm dolly-admin reseal${command ? ` (unknown command "${command}")` : ''}`);
  process.exit(2);
}
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL: not set (the same value the API and workers use)');
  process.exit(2);
}
const db = createDatabase(url);
try {
  const vault = credentialVaultFromEnv(process.env);
  const report = await resealAll(db, vault);
  console.log(
    `re-sealed ${report.resealed} credential(s) under key ${vault.currentKeyId}; ${report.current} already used it`,
  );
  console.log('Once every API and worker runs with the new key first, the old key can be removed.');
} catch (error) {
  console.error(`reseal failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
