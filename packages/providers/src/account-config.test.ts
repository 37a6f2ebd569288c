import { describe, expect, it } from 'vitest';
import { accountConfigFromStored, scopesOf } from './account-config';

const row = {
  id: 'a1',
  cloud: 'azure' as const,
  name: 'Azure',
  scope: '00000000-0000-4000-8000-000000000001',
  endpoint: null,
  caBundle: null,
  credentialKind: 'azure-client-secret',
  settings: { endpoints: { arm: 'https://arm.example' }, resourceGroup: 'default-rg' },
};

describe('accountConfigFromStored', () => {
  it('takes endpoints out of settings and the kind out of the credential document', () => {
    const cfg = accountConfigFromStored(row, {
      kind: 'azure-client-secret',
      clientId: 'c',
      clientSecret: 's',
    });
    expect(cfg.endpoints).toEqual({ arm: 'https://arm.example' });
    expect(cfg.credentials).toEqual({ clientId: 'c', clientSecret: 's' });
    expect(cfg.settings).toEqual({ resourceGroup: 'default-rg' });
  });

  it('splits an Azure cluster scope into subscription and resource group', () => {
    const cfg = accountConfigFromStored(row, {}, { scope: 'sub-2/rg-2' });
    expect(cfg.scope).toBe('sub-2');
    expect(cfg.settings.resourceGroup).toBe('rg-2');
  });

  it('lists settings.scopes, or the account scope', () => {
    expect(scopesOf({ ...row, settings: { scopes: ['p1', 'p2'] } })).toEqual(['p1', 'p2']);
    expect(scopesOf(row)).toEqual([row.scope]);
  });
});
