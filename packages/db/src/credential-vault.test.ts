import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_VAULT_KEYS, createCredentialVault, parseVaultKeys } from './credential-vault.ts';

const key = () => randomBytes(32).toString('base64');

describe('credential vault', () => {
  it('round-trips a credential document and never stores the plaintext', () => {
    const vault = createCredentialVault(parseVaultKeys(`k1:${key()}`));
    const secret = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'very-secret-value' };
    const sealed = vault.seal(secret);
    expect(sealed.keyId).toBe('k1');
    expect(Buffer.from(sealed.cipher).toString('utf8')).not.toContain('very-secret-value');
    expect(vault.open(sealed)).toEqual(secret);
  });

  it('opens values sealed with an older key after rotation', () => {
    const oldKey = key();
    const before = createCredentialVault(parseVaultKeys(`old:${oldKey}`));
    const sealed = before.seal({ a: 1 });
    const after = createCredentialVault(parseVaultKeys(`new:${key()},old:${oldKey}`));
    expect(after.currentKeyId).toBe('new');
    expect(after.open(sealed)).toEqual({ a: 1 });
    expect(after.seal({ a: 1 }).keyId).toBe('new');
  });

  it('refuses tampered ciphertext and a swapped key id', () => {
    const k = key();
    const vault = createCredentialVault(parseVaultKeys(`a:${k},b:${k}`));
    const sealed = vault.seal({ x: 'y' });
    const tampered = new Uint8Array(sealed.cipher);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => vault.open({ cipher: tampered, keyId: 'a' })).toThrow();
    expect(() => vault.open({ cipher: sealed.cipher, keyId: 'b' })).toThrow();
    expect(() => vault.open({ cipher: sealed.cipher, keyId: 'missing' })).toThrow(/not configured/);
  });

  it('rejects malformed key specs with the reason', () => {
    expect(() => parseVaultKeys('nokey')).toThrow(/id:base64key/);
    expect(() => parseVaultKeys('short:AAAA')).toThrow(/32 bytes/);
    expect(() => parseVaultKeys('')).toThrow(/no key/);
    expect(parseVaultKeys(DEVELOPMENT_VAULT_KEYS).size).toBe(1);
  });
});
