import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createCredentialVault, createDatabase, parseVaultKeys, resealAll } from '../src/index.ts';

const db = createDatabase(process.env.DATABASE_URL ?? '');
const key = () => randomBytes(32).toString('base64');
const a = `reseal-a:${key()}`;
const b = `reseal-b:${key()}`;

afterAll(async () => {
  await db.tenant.deleteMany({ where: { slug: { startsWith: 'reseal-test-' } } });
  await db.$disconnect();
});

describe('resealAll', () => {
  it('moves every credential to the current key, so the old key can be dropped', async () => {
    // A tenant of its own: the shared test database holds other tenants' credentials under other keys.
    const slug = `reseal-test-${Date.now()}`;
    const tenant = await db.tenant.create({ data: { slug, name: slug } });
    const oldVault = createCredentialVault(parseVaultKeys(a));
    const docs = [{ accessKeyId: 'AKIA1', secretAccessKey: 's1' }, { clientSecret: 's2' }];
    const ids: string[] = [];
    for (const [i, doc] of docs.entries()) {
      const sealed = oldVault.seal(doc);
      const row = await db.cloudAccount.create({
        data: {
          tenantId: tenant.id,
          name: `reseal-test-${Date.now()}-${i}`,
          cloud: 'aws',
          credentialKind: 'aws-access-key',
          credentialsCipher: sealed.cipher,
          credentialsKeyId: sealed.keyId,
        },
      });
      ids.push(row.id);
    }
    // Rotation: B becomes current, A is still configured so old values open.
    const both = createCredentialVault(parseVaultKeys(`${b},${a}`));
    const first = await resealAll(db, both, { tenantId: tenant.id });
    expect(first).toEqual({ resealed: 2, current: 0 });
    const again = await resealAll(db, both, { tenantId: tenant.id });
    expect(again).toEqual({ resealed: 0, current: 2 });

    const onlyB = createCredentialVault(parseVaultKeys(b));
    for (const [i, id] of ids.entries()) {
      const row = await db.cloudAccount.findUniqueOrThrow({ where: { id } });
      expect(row.credentialsKeyId).toBe('reseal-b');
      expect(onlyB.open({ cipher: row.credentialsCipher as Uint8Array, keyId: 'reseal-b' })).toEqual(docs[i]);
    }
  });

  it('moves webhook signing secrets and SSO client secrets too', async () => {
    const slug = `reseal-test-${Date.now()}-hooks`;
    const tenant = await db.tenant.create({ data: { slug, name: slug } });
    const oldVault = createCredentialVault(parseVaultKeys(a));
    const hookSecret = oldVault.seal('whsec-1');
    const hook = await db.webhook.create({
      data: {
        tenantId: tenant.id,
        url: 'https://hooks.example.com/dolly',
        events: ['run.succeeded'],
        secretCipher: hookSecret.cipher,
        secretKeyId: hookSecret.keyId,
      },
    });
    const ssoSecret = oldVault.seal('oidc-secret');
    const sso = await db.ssoConfig.create({
      data: {
        tenantId: tenant.id,
        displayName: 'IdP',
        issuerUrl: 'https://idp.example.com',
        clientId: 'dolly',
        clientSecretCipher: ssoSecret.cipher,
        clientSecretKeyId: ssoSecret.keyId,
      },
    });
    const both = createCredentialVault(parseVaultKeys(`${b},${a}`));
    expect(await resealAll(db, both, { tenantId: tenant.id })).toEqual({ resealed: 2, current: 0 });
    const onlyB = createCredentialVault(parseVaultKeys(b));
    const h = await db.webhook.findUniqueOrThrow({ where: { id: hook.id } });
    expect(onlyB.open({ cipher: h.secretCipher, keyId: h.secretKeyId })).toBe('whsec-1');
    const c = await db.ssoConfig.findUniqueOrThrow({ where: { id: sso.id } });
    expect(onlyB.open({ cipher: c.clientSecretCipher, keyId: c.clientSecretKeyId })).toBe('oidc-secret');
    expect(await resealAll(db, both, { tenantId: tenant.id })).toEqual({ resealed: 0, current: 2 });
  });
});
