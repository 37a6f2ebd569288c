import { describe, expect, it } from 'vitest';
import { connectionSummary, readConnectionTest } from './connection-test.ts';

describe('connection test results', () => {
  it('read a provider result and ignore malformed fields', () => {
    expect(
      readConnectionTest({ ok: true, identity: 'arn:aws:iam::1:user/x', scopes: ['1', 2], missing: 'no' }),
    ).toEqual({
      ok: true,
      identity: 'arn:aws:iam::1:user/x',
      scopes: ['1'],
      missing: [],
    });
  });

  it('read the result out of an account or a wrapper', () => {
    expect(readConnectionTest({ lastTestResult: { ok: false, message: 'bad key' } })).toMatchObject({
      ok: false,
      message: 'bad key',
    });
    expect(readConnectionTest({ result: { ok: true } })).toMatchObject({ ok: true });
    expect(readConnectionTest(null)).toBeNull();
    expect(readConnectionTest('ok')).toBeNull();
  });

  it('summarise in words', () => {
    const at = '2025-01-01T00:00:00Z';
    expect(connectionSummary(null, null)).toBe('Not tested yet');
    expect(connectionSummary({ ok: true, scopes: [], missing: [] }, at)).toBe('Connected');
    expect(connectionSummary({ ok: true, scopes: [], missing: ['eks:CreateCluster'] }, at)).toBe(
      'Connected, missing: eks:CreateCluster',
    );
    expect(connectionSummary({ ok: false, message: 'expired', scopes: [], missing: [] }, at)).toBe(
      'Failed: expired',
    );
  });
});
