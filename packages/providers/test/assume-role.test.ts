/**
 * An `aws-assume-role` account acts as the role, in the role's account: the source keys the tenant gave
 * assume it through STS with the external id Dolly generated, and the sandbox's STS refuses what AWS
 * refuses (a trust policy that does not name the caller, a missing or wrong external id).
 */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudAccountConfig } from '../src/index';
import { CloudError, createProvider } from '../src/index';
import {
  awsAccount,
  DEMO,
  type SandboxAccountInfo,
  startTestSandbox,
  type TestSandbox,
} from './support/sandbox';

let sb: TestSandbox;
let source: SandboxAccountInfo;
let target: SandboxAccountInfo;
const TARGET = '737373737373';
const EXTERNAL_ID = 'dolly-0123456789abcdef0123456789abcdef';

beforeAll(async () => {
  sb = await startTestSandbox();
  source = sb.account('aws', DEMO.aws);
  const r = await sb.admin('POST', '/_sandbox/accounts', { cloud: 'aws', id: TARGET, fresh: true });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  target = r.json as SandboxAccountInfo;
  // The role as its owner creates it in the target account: it trusts the source account, only with Dolly's id.
  const iam = new IAMClient({
    region: 'us-east-1',
    endpoint: target.endpoints.iam,
    credentials: {
      accessKeyId: String(target.credentials.accessKeyId),
      secretAccessKey: String(target.credentials.secretAccessKey),
    },
  });
  const trust = (externalId: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${DEMO.aws}:root` },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': externalId } },
        },
      ],
    });
  await iam.send(
    new CreateRoleCommand({ RoleName: 'dolly-access', AssumeRolePolicyDocument: trust(EXTERNAL_ID) }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'someone-else',
      AssumeRolePolicyDocument: trust('dolly-another-customer'),
    }),
  );
});
afterAll(async () => {
  await sb?.close();
});

function assumeRoleAccount(credentials: Record<string, string>): CloudAccountConfig {
  const base = awsAccount(target);
  return {
    ...base,
    id: `acc-assume-${Math.random().toString(36).slice(2, 8)}`,
    credentialKind: 'aws-assume-role',
    credentials: {
      roleArn: `arn:aws:iam::${TARGET}:role/dolly-access`,
      sourceAccessKeyId: String(source.credentials.accessKeyId),
      sourceSecretAccessKey: String(source.credentials.secretAccessKey),
      externalId: EXTERNAL_ID,
      ...credentials,
    },
  };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('aws-assume-role', () => {
  it('acts as the role in its account, assumed with the source keys the tenant gave', async () => {
    const result = await createProvider(assumeRoleAccount({})).testConnection();
    expect(result.ok, result.message).toBe(true);
    expect(result.identity).toMatch(new RegExp(`^arn:aws:sts::${TARGET}:assumed-role/dolly-access/`));
  });

  it('is refused by STS with another external id, or for a role that trusts another customer', async () => {
    const cases: Record<string, string>[] = [
      { externalId: 'dolly-guessed' },
      { roleArn: `arn:aws:iam::${TARGET}:role/someone-else` },
      { roleArn: `arn:aws:iam::${TARGET}:role/no-such-role` },
    ];
    for (const credentials of cases) {
      const result = await createProvider(assumeRoleAccount(credentials))
        .testConnection()
        .catch((error: unknown) => ({ ok: false, message: String(error) }));
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(/not authorized to perform: sts:AssumeRole/);
    }
  });

  it('is never connected without the external id Dolly generated', async () => {
    const { externalId: _dropped, ...withoutId } = assumeRoleAccount({}).credentials as Record<
      string,
      string
    >;
    const account = { ...assumeRoleAccount({}), credentials: withoutId };
    const result = await createProvider(account).testConnection();
    expect(result.ok).toBe(false);
    expect(result.message).toContain('credentials have no externalId');
    const error = await failure(createProvider(account).discover());
    expect(error).toBeInstanceOf(CloudError);
    expect((error as CloudError).field).toBe('credentials.externalId');
  });

  it('does not let the session keys work without their session token', async () => {
    const { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const sts = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
      new STSClient({ region: 'us-east-1', endpoint: source.endpoints.sts, credentials });
    const assumed = await sts({
      accessKeyId: String(source.credentials.accessKeyId),
      secretAccessKey: String(source.credentials.secretAccessKey),
    }).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${TARGET}:role/dolly-access`,
        RoleSessionName: 'token-check',
        ExternalId: EXTERNAL_ID,
      }),
    );
    const keys = assumed.Credentials;
    const withToken = await sts({
      accessKeyId: keys?.AccessKeyId ?? '',
      secretAccessKey: keys?.SecretAccessKey ?? '',
      sessionToken: keys?.SessionToken ?? '',
    }).send(new GetCallerIdentityCommand({}));
    expect(withToken.Account).toBe(TARGET);
    const without = await failure(
      sts({ accessKeyId: keys?.AccessKeyId ?? '', secretAccessKey: keys?.SecretAccessKey ?? '' }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    expect((without as { name?: string }).name).toBe('InvalidClientTokenId');
  });
});
