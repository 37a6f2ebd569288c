import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_VAULT_KEYS } from '../src/credential-vault.ts';
import { createCredentialVault, createDatabase, parseVaultKeys } from '../src/index.ts';

/**
 * `pnpm dolly-admin reseal` as the operator runs it (docs/security.md, key rotation): a child
 * process with the new key first in DOLLY_SECRET_KEYS and the old one after it. The "new" key is
 * the one this test run already uses, so every other row of the shared database is already under
 * it and the command changes only the row sealed here under an old key.
 */
const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const db = createDatabase(process.env.DATABASE_URL ?? '');
const current = process.env.DOLLY_SECRET_KEYS || DEVELOPMENT_VAULT_KEYS;
const old = `reseal-old-${Date.now().toString(36)}:${randomBytes(32).toString('base64')}`;
const slug = `reseal-cmd-${Date.now()}`;

afterAll(async () => {
  await db.tenant.deleteMany({ where: { slug } });
  await db.$disconnect();
});

describe('pnpm dolly-admin reseal', () => {
  it('re-seals a credential sealed under an old key under the current one, and is safe to run twice', async () => {
    const tenant = await db.tenant.create({ data: { slug, name: slug } });
    const doc = { accessKeyId: 'AKIAOLDKEY', secretAccessKey: 'sealed-under-the-old-key' };
    const sealed = createCredentialVault(parseVaultKeys(old)).seal(doc);
    const account = await db.cloudAccount.create({
      data: {
        tenantId: tenant.id,
        name: slug,
        cloud: 'aws',
        credentialKind: 'aws-access-key',
        credentialsCipher: sealed.cipher,
        credentialsKeyId: sealed.keyId,
      },
    });
    const reseal = () =>
      run('pnpm', ['dolly-admin', 'reseal'], {
        cwd: root,
        env: { ...process.env, DOLLY_SECRET_KEYS: `${current},${old}` },
        timeout: 60_000,
      });

    const first = await reseal();
    expect(first.stdout).toMatch(/re-sealed [1-9]\d* credential\(s\) under key /);
    const vault = createCredentialVault(parseVaultKeys(current));
    const row = await db.cloudAccount.findUniqueOrThrow({ where: { id: account.id } });
    expect(row.credentialsKeyId).toBe(vault.currentKeyId);
    // the old key can go: the current keys alone open the row
    expect(
      vault.open({ cipher: row.credentialsCipher as Uint8Array, keyId: row.credentialsKeyId ?? '' }),
    ).toEqual(doc);

    const second = await reseal();
    expect(second.stdout).toMatch(/re-sealed 0 credential\(s\)/);
  }, 120_000);

  it('names the usage when the command is not understood', async () => {
    const res = await run('pnpm', ['--silent', 'dolly-admin', 'reseel'], { cwd: root }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect('code' in res ? res.code : 0).toBe(2);
    expect('stderr' in res ? res.stderr : '').toMatch(/usage: pnpm dolly-admin reseal/);
  });
});
