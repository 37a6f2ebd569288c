import { describe, expect, it } from 'vitest';
import {
  type CloudProviderAccount,
  accountToForm,
  createAccountBody,
  emptyAccountForm,
  parseEndpoints,
  patchAccountBody,
} from './account-model.ts';

const account: CloudProviderAccount = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Sandbox AWS',
  cloud: 'aws',
  scope: '111122223333',
  endpoint: 'http://127.0.0.1:4510',
  hasCaBundle: true,
  credentialKind: 'aws-access-key',
  settings: {
    endpoints: { eks: 'http://127.0.0.1:4510', sts: 'http://127.0.0.1:4510' },
    scopes: ['111122223333', '444455556666'],
    regions: ['us-east-1', 'eu-west-1'],
    clusterRoleArn: 'arn:aws:iam::111122223333:role/eks',
  },
  defaultEnvironment: null,
  lastTestedAt: null,
  lastTestResult: null,
  clusters: 3,
  createdAt: '2025-01-01T00:00:00.000Z',
};

describe('account create body', () => {
  const credentials = { kind: 'aws-default-chain' as const };
  const built = { ok: true as const, value: credentials };

  it('leaves out empty optional fields and splits regions', () => {
    const result = createAccountBody(
      {
        ...emptyAccountForm,
        name: ' prod-aws ',
        regions: 'us-east-1, eu-west-1  ap-south-1',
        nodeRoleArn: 'arn:n',
      },
      'aws',
      built,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'prod-aws',
        cloud: 'aws',
        credentials,
        settings: { regions: ['us-east-1', 'eu-west-1', 'ap-south-1'], nodeRoleArn: 'arn:n' },
      },
    });
  });

  it('carries scope, endpoint overrides and the CA bundle', () => {
    const result = createAccountBody(
      {
        ...emptyAccountForm,
        name: 'a',
        scope: '111122223333',
        endpoint: 'https://eks.internal',
        endpoints: 'eks=https://eks.internal\n\nsts: https://sts.internal',
        caBundle: '-----BEGIN CERTIFICATE-----',
        defaultEnvironment: 'dev',
      },
      'aws',
      built,
    );
    expect(result.ok && result.value).toMatchObject({
      scope: '111122223333',
      endpoint: 'https://eks.internal',
      caBundle: '-----BEGIN CERTIFICATE-----',
      defaultEnvironment: 'dev',
      settings: { endpoints: { eks: 'https://eks.internal', sts: 'https://sts.internal' } },
    });
  });

  it('names the field of every local mistake at once, credentials included', () => {
    const missingKey = {
      ok: false as const,
      errors: { 'credentials.clientSecret': 'Client secret is required' },
    };
    expect(createAccountBody({ ...emptyAccountForm, endpoints: 'not a pair' }, 'azure', missingKey)).toEqual({
      ok: false,
      errors: {
        'credentials.clientSecret': 'Client secret is required',
        name: 'Name is required',
        'settings.endpoints': 'Line 1 is not service=url',
      },
    });
  });
});

describe('account edit', () => {
  it('round-trips the settings the form shows and keeps the ones it does not', () => {
    const form = accountToForm(account);
    expect(form).toMatchObject({
      name: 'Sandbox AWS',
      regions: 'us-east-1, eu-west-1',
      endpoints: 'eks=http://127.0.0.1:4510\nsts=http://127.0.0.1:4510',
      clusterRoleArn: 'arn:aws:iam::111122223333:role/eks',
    });
    const patch = patchAccountBody({ ...form, regions: 'us-west-2', clusterRoleArn: '' }, account);
    expect(patch).toEqual({
      ok: true,
      value: {
        name: 'Sandbox AWS',
        endpoint: 'http://127.0.0.1:4510',
        defaultEnvironment: null,
        settings: {
          endpoints: { eks: 'http://127.0.0.1:4510', sts: 'http://127.0.0.1:4510' },
          scopes: ['111122223333', '444455556666'],
          regions: ['us-west-2'],
        },
      },
    });
  });

  it('keeps the stored CA bundle unless it is replaced or removed', () => {
    const form = accountToForm(account);
    const keep = patchAccountBody(form, account);
    expect(keep.ok && 'caBundle' in keep.value).toBe(false);
    const removed = patchAccountBody({ ...form, removeCaBundle: true }, account);
    expect(removed.ok && removed.value.caBundle).toBeNull();
  });

  it('turns what apply may create on and off per cloud, and leaves the other cloud alone', () => {
    const on = patchAccountBody(
      { ...accountToForm(account), createMissingRoles: true, createMissingNetwork: true },
      account,
    );
    expect(on.ok && on.value.settings).toMatchObject({
      createMissingRoles: true,
      createMissingNetwork: true,
    });
    const stored = { ...account, settings: { ...account.settings, createMissingRoles: true } };
    expect(accountToForm(stored)).toMatchObject({ createMissingRoles: true, createMissingNetwork: false });
    const off = patchAccountBody({ ...accountToForm(stored), createMissingRoles: false }, stored);
    expect(off.ok && off.value.settings && 'createMissingRoles' in off.value.settings).toBe(false);
    // Azure creates its resource group on its own: no toggle, and a stray key is kept as it was
    const azure: CloudProviderAccount = {
      ...account,
      cloud: 'azure',
      credentialKind: 'azure-client-secret',
      settings: { createMissingRoles: true },
    };
    const azurePatch = patchAccountBody({ ...accountToForm(azure), createMissingRoles: false }, azure);
    expect(azurePatch.ok && azurePatch.value.settings).toEqual({ createMissingRoles: true });
  });

  it('parses endpoint lines with = or :', () => {
    expect(parseEndpoints('arm = https://a\nlogin: https://b')).toEqual({
      ok: true,
      value: { arm: 'https://a', login: 'https://b' },
    });
  });
});
