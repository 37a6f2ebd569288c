import type { Database } from './client.ts';
import type { CredentialVault } from './credential-vault.ts';

export interface ResealReport {
  /** sealed values now under the current key */
  resealed: number;
  /** already under the current key, left alone */
  current: number;
}

/** One sealed value as stored: the row, its ciphertext and the key that sealed it. */
interface SealedCell {
  id: string;
  cipher: Uint8Array<ArrayBuffer>;
  keyId: string;
}

/**
 * Writes `next` over `prev` only if the row still holds `prev` (compare-and-set), so a secret
 * replaced concurrently is never overwritten with the old one. Resolves with the rows changed.
 */
type CompareAndSet = (
  prev: SealedCell,
  next: { cipher: Uint8Array<ArrayBuffer>; keyId: string },
) => Promise<number>;

async function resealCells(
  vault: CredentialVault,
  cells: SealedCell[],
  write: CompareAndSet,
  report: ResealReport,
): Promise<void> {
  for (const cell of cells) {
    if (cell.keyId === vault.currentKeyId) {
      report.current++;
      continue;
    }
    const sealed = vault.seal(vault.open({ cipher: cell.cipher, keyId: cell.keyId }));
    report.resealed += await write(cell, sealed);
  }
}

/**
 * Re-seals every stored secret under the vault's current key, so an old key can be dropped from
 * DOLLY_SECRET_KEYS afterwards: cloud credentials, webhook signing secrets and SSO client secrets
 * are sealed with the same keys. Running it again finishes what an interrupted run left.
 */
export async function resealAll(
  db: Database,
  vault: CredentialVault,
  opts: { tenantId?: string } = {},
): Promise<ResealReport> {
  const report: ResealReport = { resealed: 0, current: 0 };
  const tenant = opts.tenantId ? { tenantId: opts.tenantId } : {};

  const accounts = await db.cloudAccount.findMany({
    where: { credentialsCipher: { not: null }, ...tenant },
    select: { id: true, credentialsCipher: true, credentialsKeyId: true },
  });
  await resealCells(
    vault,
    accounts.flatMap((a) =>
      a.credentialsCipher && a.credentialsKeyId
        ? [{ id: a.id, cipher: a.credentialsCipher, keyId: a.credentialsKeyId }]
        : [],
    ),
    async (prev, next) =>
      (
        await db.cloudAccount.updateMany({
          where: { id: prev.id, credentialsKeyId: prev.keyId, credentialsCipher: prev.cipher },
          data: { credentialsCipher: next.cipher, credentialsKeyId: next.keyId },
        })
      ).count,
    report,
  );

  const hooks = await db.webhook.findMany({
    where: tenant,
    select: { id: true, secretCipher: true, secretKeyId: true },
  });
  await resealCells(
    vault,
    hooks.map((h) => ({ id: h.id, cipher: h.secretCipher, keyId: h.secretKeyId })),
    async (prev, next) =>
      (
        await db.webhook.updateMany({
          where: { id: prev.id, secretKeyId: prev.keyId, secretCipher: prev.cipher },
          data: { secretCipher: next.cipher, secretKeyId: next.keyId },
        })
      ).count,
    report,
  );

  const ssoConfigs = await db.ssoConfig.findMany({
    where: tenant,
    select: { id: true, clientSecretCipher: true, clientSecretKeyId: true },
  });
  await resealCells(
    vault,
    ssoConfigs.map((c) => ({ id: c.id, cipher: c.clientSecretCipher, keyId: c.clientSecretKeyId })),
    async (prev, next) =>
      (
        await db.ssoConfig.updateMany({
          where: { id: prev.id, clientSecretKeyId: prev.keyId, clientSecretCipher: prev.cipher },
          data: { clientSecretCipher: next.cipher, clientSecretKeyId: next.keyId },
        })
      ).count,
    report,
  );
  return report;
}
