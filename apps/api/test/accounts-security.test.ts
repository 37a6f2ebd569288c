/** Cloud accounts cannot borrow Dolly's host identity or pick an assumed role's external id. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, startHarness } from './support/harness.ts';

let h: Harness;
let admin: { headers: Record<string, string> };
const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

beforeAll(async () => {
  h = await startHarness({}, { worker: false });
  const s = await login(h.app, 'admin@demo.dolly');
  admin = { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } };
});
afterAll(async () => {
  await h.db.cloudAccount.deleteMany({ where: { name: { startsWith: 'acct-sec-' } } });
  await h?.close();
});

const create = (
  app: Harness['app'],
  cred: { headers: Record<string, string> },
  body: Record<string, unknown>,
) => app.inject({ method: 'POST', url: '/api/v1/accounts', ...cred, payload: body });

describe('host identity credential kinds', () => {
  it.each([
    ['aws', 'aws-default-chain'],
    ['azure', 'azure-default'],
    ['gcp', 'gcp-application-default'],
  ])('refuses %s %s unless the operator enabled it for the tenant', async (cloud, kind) => {
    const body = {
      name: `acct-sec-${unique()}`,
      cloud,
      ...(cloud === 'azure' ? { scope: '00000000-0000-0000-0000-000000000001' } : {}),
      ...(cloud === 'gcp' ? { scope: 'some-project' } : {}),
      credentials: { kind },
      settings: cloud === 'azure' ? { resourceGroup: 'rg' } : {},
    };
    const refused = await create(h.app, admin, body);
    expect(refused.statusCode).toBe(403);
    expect((refused.json() as { errors?: { path: string }[] }).errors?.[0]?.path).toBe(
      'body.credentials.kind',
    );

    const enabled = await startHarness({ DOLLY_HOST_IDENTITY_TENANTS: 'other,demo' }, { worker: false });
    try {
      const s = await login(enabled.app, 'admin@demo.dolly');
      const ok = await create(
        enabled.app,
        { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } },
        {
          ...body,
          name: `acct-sec-${unique()}`,
        },
      );
      expect(ok.statusCode).toBe(201);
    } finally {
      await enabled.close();
    }
  });

  it('is checked again whenever the account is used, not only when it was saved', async () => {
    // a row written before the rule, or a tenant the operator has since taken off the list
    const tenant = await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
    const sealed = h.vault.seal({ kind: 'aws-default-chain' });
    const account = await h.db.cloudAccount.create({
      data: {
        tenantId: tenant.id,
        name: `acct-sec-${unique()}`,
        cloud: 'aws',
        scope: '123456789012',
        credentialKind: 'aws-default-chain',
        credentialsCipher: sealed.cipher,
        credentialsKeyId: sealed.keyId,
        settings: { regions: ['eu-west-1'] },
      },
    });
    const tested = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/test`,
      ...admin,
    });
    expect(tested.statusCode).toBe(200);
    const result = tested.json() as { ok: boolean; message?: string };
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/host identity.*DOLLY_HOST_IDENTITY_TENANTS/);

    const cluster = await h.db.cluster.create({
      data: {
        tenantId: tenant.id,
        accountId: account.id,
        cloud: 'aws',
        scope: '123456789012',
        location: 'eu-west-1',
        name: `acct-sec-${unique()}`,
        kubernetesVersion: '1.31',
        spec: {},
      },
    });
    const kubeconfig = await h.app.inject({
      method: 'GET',
      url: `/api/v1/clusters/${cluster.id}/kubeconfig`,
      ...admin,
    });
    expect(kubeconfig.statusCode).toBe(403);
    expect((kubeconfig.json() as { detail: string }).detail).toMatch(/host identity/);
  });
});

describe('aws-assume-role', () => {
  const role = {
    kind: 'aws-assume-role',
    roleArn: 'arn:aws:iam::123456789012:role/dolly',
    sourceAccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    sourceSecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };

  it('needs the source keys (never the host chain)', async () => {
    const { sourceAccessKeyId: _k, sourceSecretAccessKey: _s, ...keyless } = role;
    const res = await create(h.app, admin, {
      name: `acct-sec-${unique()}`,
      cloud: 'aws',
      credentials: keyless,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('sourceAccessKeyId');
  });

  it('gets an external id Dolly generates, kept across credential rotations', async () => {
    const res = await create(h.app, admin, {
      name: `acct-sec-${unique()}`,
      cloud: 'aws',
      credentials: { ...role, externalId: 'someone-elses-id' },
    });
    expect(res.statusCode).toBe(201);
    const a = res.json() as { id: string; settings: { externalId?: string } };
    expect(a.settings.externalId).toMatch(/^dolly-[0-9a-f]{32}$/);
    const row = await h.db.cloudAccount.findUniqueOrThrow({ where: { id: a.id } });
    const sealed = h.vault.open<{ externalId: string }>({
      cipher: row.credentialsCipher as Uint8Array,
      keyId: row.credentialsKeyId as string,
    });
    expect(sealed.externalId).toBe(a.settings.externalId);

    const rotated = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${a.id}`,
      ...admin,
      payload: { credentials: { ...role, sourceAccessKeyId: 'AKIAIOSFODNN7EXAMPLF' } },
    });
    expect(rotated.statusCode).toBe(200);
    expect((rotated.json() as { settings: { externalId?: string } }).settings.externalId).toBe(
      a.settings.externalId,
    );
  });
});

describe('tenant-set endpoints', () => {
  it('are refused when they point at internal addresses or plain http, naming the field', async () => {
    // This harness has no allow-list: nothing internal is reachable through an account.
    const strict = await startHarness({ DOLLY_ENDPOINT_ALLOWLIST: '' }, { worker: false });
    try {
      const s = await login(strict.app, 'admin@demo.dolly');
      const res = await create(
        strict.app,
        { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } },
        {
          name: `acct-sec-${unique()}`,
          cloud: 'aws',
          endpoint: 'https://169.254.169.254',
          credentials: {
            kind: 'aws-access-key',
            accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
            secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          },
          settings: { endpoints: { sts: 'http://127.0.0.1:4510', eks: 'https://10.0.0.8' } },
        },
      );
      expect(res.statusCode).toBe(400);
      const paths = ((res.json() as { errors?: { path: string }[] }).errors ?? []).map((e) => e.path).sort();
      expect(paths).toEqual(['body.endpoint', 'body.settings.endpoints.eks', 'body.settings.endpoints.sts']);
    } finally {
      await strict.close();
    }
  });
});
