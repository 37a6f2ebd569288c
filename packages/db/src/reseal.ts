import type { Database } from './client.ts';
import type { CredentialVault } from './credential-vault.ts';

export interface ResealReport {
  /** sealed values now under the current key */
  resealed: number;
  /** already under the current key, left alone */
  current: number;
}

/**
 * Re-seals every stored secret under the vault's current key, so an old key can be dropped from
 * DOLLY_SECRET_KEYS afterwards. Each row is updated only if it still holds the ciphertext read
 * (compare-and-set), so a credential replaced concurrently is never overwritten with the old one;
 * running it again finishes what an interrupted run left.
 */
export async function resealAll(
  db: Database,
  vault: CredentialVault,
  opts: { tenantId?: string } = {},
): Promise<ResealReport> {
  const report: ResealReport = { resealed: 0, current: 0 };
  const accounts = await db.cloudAccount.findMany({
    where: { credentialsCipher: { not: null }, ...(opts.tenantId ? { tenantId: opts.tenantId } : {}) },
    select: { id: true, credentialsCipher: true, credentialsKeyId: true },
  });
  for (const a of accounts) {
    if (!a.credentialsCipher || !a.credentialsKeyId) continue;
    if (a.credentialsKeyId === vault.currentKeyId) {
      report.current++;
      continue;
    }
    const sealed = vault.seal(vault.open({ cipher: a.credentialsCipher, keyId: a.credentialsKeyId }));
    const updated = await db.cloudAccount.updateMany({
      where: { id: a.id, credentialsKeyId: a.credentialsKeyId, credentialsCipher: a.credentialsCipher },
      data: { credentialsCipher: sealed.cipher, credentialsKeyId: sealed.keyId },
    });
    report.resealed += updated.count;
  }
  // Webhook signing secrets are sealed with the same keys: dropping an old key must not strand them.
  const hooks = await db.webhook.findMany({
    where: opts.tenantId ? { tenantId: opts.tenantId } : {},
    select: { id: true, secretCipher: true, secretKeyId: true },
  });
  for (const h of hooks) {
    if (h.secretKeyId === vault.currentKeyId) {
      report.current++;
      continue;
    }
    const sealed = vault.seal(vault.open({ cipher: h.secretCipher, keyId: h.secretKeyId }));
    const updated = await db.webhook.updateMany({
      where: { id: h.id, secretKeyId: h.secretKeyId, secretCipher: h.secretCipher },
      data: { secretCipher: sealed.cipher, secretKeyId: sealed.keyId },
    });
    report.resealed += updated.count;
  }
  // SSO client secrets too (docs/sso.md)
  const ssoConfigs = await db.ssoConfig.findMany({
    where: opts.tenantId ? { tenantId: opts.tenantId } : {},
    select: { id: true, clientSecretCipher: true, clientSecretKeyId: true },
  });
  for (const c of ssoConfigs) {
    if (c.clientSecretKeyId === vault.currentKeyId) {
      report.current++;
      continue;
    }
    const sealed = vault.seal(vault.open({ cipher: c.clientSecretCipher, keyId: c.clientSecretKeyId }));
    const updated = await db.ssoConfig.updateMany({
      where: { id: c.id, clientSecretKeyId: c.clientSecretKeyId, clientSecretCipher: c.clientSecretCipher },
      data: { clientSecretCipher: sealed.cipher, clientSecretKeyId: sealed.keyId },
    });
    report.resealed += updated.count;
  }
  return report;
}
