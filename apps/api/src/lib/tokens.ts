import { createHash, randomBytes } from 'node:crypto';

/** Opaque secrets (session ids, API tokens) are random and stored only as SHA-256 hashes. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
