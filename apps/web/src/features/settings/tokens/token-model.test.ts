import { describe, expect, it } from 'vitest';
import { type ApiToken, expiresInDays, tokenState } from './token-model.ts';

const token: ApiToken = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'ci',
  role: 'developer',
  prefix: 'dolly_abcdef',
  createdBy: 'admin@demo.dolly',
  createdAt: '2025-01-01T00:00:00.000Z',
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
};

describe('token state', () => {
  const now = new Date('2025-06-01T00:00:00Z');
  it('is active without expiry, expired after it, revoked above all', () => {
    expect(tokenState(token, now)).toBe('active');
    expect(tokenState({ ...token, expiresAt: '2025-05-31T00:00:00Z' }, now)).toBe('expired');
    expect(tokenState({ ...token, expiresAt: '2025-07-01T00:00:00Z' }, now)).toBe('active');
    expect(
      tokenState({ ...token, expiresAt: '2025-05-31T00:00:00Z', revokedAt: '2025-05-01T00:00:00Z' }, now),
    ).toBe('revoked');
  });
});

describe('token expiry', () => {
  it('maps choices to expiresInDays', () => {
    expect(expiresInDays('never', '')).toEqual({ ok: true, days: undefined });
    expect(expiresInDays('90', '')).toEqual({ ok: true, days: 90 });
    expect(expiresInDays('custom', ' 14 ')).toEqual({ ok: true, days: 14 });
  });

  it('refuses custom values the API would refuse', () => {
    for (const bad of ['', '0', '3651', '1.5', 'ten']) expect(expiresInDays('custom', bad).ok).toBe(false);
  });
});
