import { describe, expect, it } from 'vitest';
import { buildCredentials, credentialForm, credentialKindLabel, formsOf } from './credential-kinds.ts';

const form = (id: string) => {
  const f = credentialForm(id);
  if (!f) throw new Error(`no form ${id}`);
  return f;
};

describe('credential forms', () => {
  it('offer every kind of each cloud', () => {
    expect(formsOf('aws').map((f) => f.kind)).toEqual([
      'aws-access-key',
      'aws-assume-role',
      'aws-default-chain',
    ]);
    expect(formsOf('azure').map((f) => f.kind)).toEqual(['azure-client-secret', 'azure-default']);
    expect(formsOf('gcp').map((f) => f.id)).toEqual([
      'gcp-service-account-json',
      'gcp-service-account-fields',
      'gcp-application-default',
    ]);
  });

  it('label stored kinds for lists', () => {
    expect(credentialKindLabel('aws-assume-role')).toBe('Assume role');
    expect(credentialKindLabel('gcp-service-account-key')).toBe('Service account key');
    expect(credentialKindLabel('something-new')).toBe('something-new');
  });
});

describe('credentials request body per kind', () => {
  it('AWS access key: trims ids, keeps secrets verbatim, leaves out an empty session token', () => {
    expect(
      buildCredentials(form('aws-access-key'), {
        accessKeyId: ' AKIAEXAMPLE0000001 ',
        secretAccessKey: 'secret with trailing space ',
        sessionToken: '',
      }),
    ).toEqual({
      ok: true,
      value: {
        kind: 'aws-access-key',
        accessKeyId: 'AKIAEXAMPLE0000001',
        secretAccessKey: 'secret with trailing space ',
      },
    });
  });

  it('AWS assume role: role ARN and the source keys (Dolly makes the external id)', () => {
    const keys = {
      sourceAccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      sourceSecretAccessKey: 'wJalrXUtnFEMI/K7MDENG',
    };
    expect(
      buildCredentials(form('aws-assume-role'), { roleArn: 'arn:aws:iam::123456789012:role/dolly', ...keys }),
    ).toEqual({
      ok: true,
      value: { kind: 'aws-assume-role', roleArn: 'arn:aws:iam::123456789012:role/dolly', ...keys },
    });
    expect(
      buildCredentials(form('aws-assume-role'), { roleArn: 'arn:aws:iam::123456789012:role/dolly' }).ok,
    ).toBe(false);
  });

  it('default chains carry only the kind', () => {
    expect(buildCredentials(form('aws-default-chain'), {})).toEqual({
      ok: true,
      value: { kind: 'aws-default-chain' },
    });
    expect(buildCredentials(form('azure-default'), {})).toEqual({
      ok: true,
      value: { kind: 'azure-default' },
    });
    expect(buildCredentials(form('gcp-application-default'), {})).toEqual({
      ok: true,
      value: { kind: 'gcp-application-default' },
    });
  });

  it('Azure client secret: names each missing field on its API path', () => {
    expect(buildCredentials(form('azure-client-secret'), { tenantId: 't' })).toEqual({
      ok: false,
      errors: {
        'credentials.clientId': 'Application (client) id is required',
        'credentials.clientSecret': 'Client secret is required',
      },
    });
  });

  it('GCP key pasted as JSON: keeps Google fields and adds the kind', () => {
    const key = {
      type: 'service_account',
      project_id: 'shop',
      private_key_id: 'abc',
      private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n',
      client_email: 'dolly@shop.iam.gserviceaccount.com',
    };
    expect(
      buildCredentials(form('gcp-service-account-json'), { json: JSON.stringify(key, null, 2) }),
    ).toEqual({
      ok: true,
      value: { ...key, kind: 'gcp-service-account-key' },
    });
  });

  it('GCP key pasted as JSON: refuses what is not a service-account key', () => {
    const gcp = form('gcp-service-account-json');
    expect(buildCredentials(gcp, { json: '' })).toEqual({
      ok: false,
      errors: { credentials: 'Paste the key JSON' },
    });
    expect(buildCredentials(gcp, { json: '{oops' })).toMatchObject({
      ok: false,
      errors: { credentials: expect.stringContaining('not JSON') },
    });
    expect(buildCredentials(gcp, { json: '{"type":"authorized_user"}' })).toMatchObject({
      ok: false,
      errors: { credentials: expect.stringContaining('service_account') },
    });
  });

  it('GCP key typed as fields: becomes the same document', () => {
    expect(
      buildCredentials(form('gcp-service-account-fields'), {
        client_email: 'dolly@shop.iam.gserviceaccount.com',
        private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n',
      }),
    ).toEqual({
      ok: true,
      value: {
        kind: 'gcp-service-account-key',
        type: 'service_account',
        client_email: 'dolly@shop.iam.gserviceaccount.com',
        private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n',
      },
    });
  });
});
