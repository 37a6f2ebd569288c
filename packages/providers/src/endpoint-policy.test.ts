import { describe, expect, it } from 'vitest';
import { checkTenantEndpoint, isInternalAddress } from './endpoint-policy';

const resolveTo = (addresses: string[]) => async () => addresses;

describe('checkTenantEndpoint', () => {
  it.each([
    'http://eks.us-east-1.amazonaws.com',
    'https://169.254.169.254/latest/meta-data',
    'https://127.0.0.1:8443',
    'https://10.1.2.3',
    'https://192.168.0.10',
    'https://[::1]:443',
    'https://[fd00::1]',
    'https://[::ffff:127.0.0.1]',
    'https://user:pw@example.com',
    'not a url',
  ])('refuses %s', async (url) => {
    expect((await checkTenantEndpoint(url, [], resolveTo(['203.0.113.9']))).ok).toBe(false);
  });

  it('refuses a public name that resolves to an internal address', async () => {
    const v = await checkTenantEndpoint(
      'https://metadata.example.com',
      [],
      resolveTo(['203.0.113.9', '169.254.169.254']),
    );
    expect(v).toMatchObject({ ok: false, reason: expect.stringContaining('169.254.169.254') });
  });

  it('accepts public https endpoints and allow-listed hosts', async () => {
    expect((await checkTenantEndpoint('https://eks.example.com', [], resolveTo(['203.0.113.9']))).ok).toBe(
      true,
    );
    expect((await checkTenantEndpoint('http://127.0.0.1:4510', ['127.0.0.1'])).ok).toBe(true);
    expect((await checkTenantEndpoint('http://sandbox:4510/x', ['sandbox'])).ok).toBe(true);
  });

  it('knows the internal ranges', () => {
    expect(isInternalAddress('100.64.1.1')).toBe(true);
    expect(isInternalAddress('8.8.8.8')).toBe(false);
    expect(isInternalAddress('2001:db8::1')).toBe(false);
  });
});
