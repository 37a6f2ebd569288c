import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Cloud credentials at rest: AES-256-GCM with keys from the environment. Each ciphertext records
 * the id of the key that sealed it, so keys can be rotated: add the new key, make it current,
 * re-seal at leisure (`reseal`), then drop the old one.
 *
 * Layout of a sealed value: version byte (1) | 12-byte IV | 16-byte tag | ciphertext.
 */
export interface CredentialVault {
  currentKeyId: string;
  seal(plaintext: unknown): { cipher: Uint8Array<ArrayBuffer>; keyId: string };
  open<T = unknown>(sealed: { cipher: Uint8Array; keyId: string }): T;
}

const VERSION = 1;

/**
 * `DOLLY_SECRET_KEYS` = comma-separated `id:base64key` (32-byte keys); the first is current.
 * Example: `2026-11:3q2+7w...=,2026-05:...`
 */
export function parseVaultKeys(spec: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = part.indexOf(':');
    if (at <= 0) throw new Error('DOLLY_SECRET_KEYS: each key is id:base64key');
    const id = part.slice(0, at);
    const key = Buffer.from(part.slice(at + 1), 'base64');
    if (key.length !== 32)
      throw new Error(`DOLLY_SECRET_KEYS: key ${id} must be 32 bytes (base64 of 32 random bytes)`);
    keys.set(id, key);
  }
  if (keys.size === 0) throw new Error('DOLLY_SECRET_KEYS: no key given');
  return keys;
}

export function createCredentialVault(keys: Map<string, Buffer>): CredentialVault {
  const [currentKeyId] = keys.keys();
  if (!currentKeyId) throw new Error('credential vault needs at least one key');
  const current = keys.get(currentKeyId)!;
  return {
    currentKeyId,
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      // The key id is authenticated too: a ciphertext moved under another key id fails to open.
      cipher.setAAD(Buffer.from(currentKeyId));
      const body = Buffer.concat([cipher.update(JSON.stringify(plaintext), 'utf8'), cipher.final()]);
      const out = new Uint8Array(new ArrayBuffer(1 + 12 + 16 + body.length));
      out[0] = VERSION;
      out.set(iv, 1);
      out.set(cipher.getAuthTag(), 13);
      out.set(body, 29);
      return { cipher: out, keyId: currentKeyId };
    },
    open<T>(sealed: { cipher: Uint8Array; keyId: string }): T {
      const key = keys.get(sealed.keyId);
      if (!key) throw new Error(`credentials were sealed with key ${sealed.keyId}, which is not configured`);
      const buf = Buffer.from(sealed.cipher);
      if (buf[0] !== VERSION) throw new Error('unknown credential format');
      const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(1, 13));
      decipher.setAAD(Buffer.from(sealed.keyId));
      decipher.setAuthTag(buf.subarray(13, 29));
      const plain = Buffer.concat([decipher.update(buf.subarray(29)), decipher.final()]).toString('utf8');
      return JSON.parse(plain) as T;
    },
  };
}

/** A fixed development key, used only when DOLLY_SECRET_KEYS is unset outside production. */
export const DEVELOPMENT_VAULT_KEYS = 'dev-insecure:ZG9sbHktZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWNyZXQ=';

/** The vault from `DOLLY_SECRET_KEYS`; outside production a fixed development key stands in. */
export function credentialVaultFromEnv(env: NodeJS.ProcessEnv = process.env): CredentialVault {
  const spec = env.DOLLY_SECRET_KEYS;
  if (!spec) {
    if (env.NODE_ENV === 'production') throw new Error('DOLLY_SECRET_KEYS must be set in production');
    return createCredentialVault(parseVaultKeys(DEVELOPMENT_VAULT_KEYS));
  }
  return createCredentialVault(parseVaultKeys(spec));
}
