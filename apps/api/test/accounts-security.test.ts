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

describe('the external id', () => {
  const role = {
    kind: 'aws-assume-role',
    roleArn: 'arn:aws:iam::123456789012:role/dolly',
    sourceAccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    sourceSecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };
  const patch = (id: string, payload: Record<string, unknown>) =>
    h.app.inject({ method: 'PATCH', url: `/api/v1/accounts/${id}`, ...admin, payload });
  const externalIdOf = async (id: string) => {
    const row = await h.db.cloudAccount.findUniqueOrThrow({ where: { id } });
    const sealed = h.vault.open<{ externalId?: string }>({
      cipher: row.credentialsCipher as Uint8Array,
      keyId: row.credentialsKeyId as string,
    });
    return { settings: (row.settings as { externalId?: string }).externalId, sealed: sealed.externalId };
  };

  it('cannot be chosen through the settings, at creation or later, and survives settings changes', async () => {
    const chosen = await create(h.app, admin, {
      name: `acct-sec-${unique()}`,
      cloud: 'aws',
      credentials: role,
      settings: { externalId: 'someone-elses-id' },
    });
    expect(chosen.statusCode).toBe(400);
    expect((chosen.json() as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      'body.settings.externalId',
    ]);

    const res = await create(h.app, admin, { name: `acct-sec-${unique()}`, cloud: 'aws', credentials: role });
    expect(res.statusCode).toBe(201);
    const a = res.json() as { id: string; settings: { externalId: string } };
    const generated = a.settings.externalId;

    // settings replaced whole, without the id: the id stays
    expect((await patch(a.id, { settings: { regions: ['eu-west-1'] } })).statusCode).toBe(200);
    expect(await externalIdOf(a.id)).toEqual({ settings: generated, sealed: generated });
    // another id through the settings, then a rotation that would seal it: refused, nothing changes
    const swapped = await patch(a.id, { settings: { externalId: 'someone-elses-id' } });
    expect(swapped.statusCode).toBe(400);
    expect(swapped.body).toContain('body.settings.externalId');
    expect((await patch(a.id, { credentials: role })).statusCode).toBe(200);
    expect(await externalIdOf(a.id)).toEqual({ settings: generated, sealed: generated });
    // settings read and written back whole, own id included: fine
    const roundTrip = await patch(a.id, { settings: { ...a.settings, regions: ['us-east-2'] } });
    expect(roundTrip.statusCode, roundTrip.body).toBe(200);
    expect(await externalIdOf(a.id)).toEqual({ settings: generated, sealed: generated });
  });
});

describe('CA bundles', () => {
  it('must be certificates, on creation and on every change, naming the field', async () => {
    const key = {
      kind: 'aws-access-key',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };
    const garbage = '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n';
    const created = await create(h.app, admin, {
      name: `acct-sec-${unique()}`,
      cloud: 'aws',
      credentials: key,
      caBundle: garbage,
    });
    expect(created.statusCode).toBe(400);
    expect(created.body).toContain('body.caBundle');
    const ok = await create(h.app, admin, { name: `acct-sec-${unique()}`, cloud: 'aws', credentials: key });
    expect(ok.statusCode).toBe(201);
    const id = (ok.json() as { id: string }).id;
    const { createCa } = await import('../../sandbox/src/tls.ts');
    const caCertPem = createCa('Acct Sec CA').certPem;
    for (const caBundle of [
      'anything at all',
      garbage,
      `${caCertPem}\n-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n`,
    ]) {
      const res = await h.app.inject({
        method: 'PATCH',
        url: `/api/v1/accounts/${id}`,
        ...admin,
        payload: { caBundle },
      });
      expect(res.statusCode, caBundle).toBe(400);
      expect((res.json() as { errors: { path: string }[] }).errors[0]?.path).toBe('body.caBundle');
    }
    const good = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${id}`,
      ...admin,
      payload: { caBundle: caCertPem },
    });
    expect(good.statusCode, good.body).toBe(200);
    expect((good.json() as { hasCaBundle: boolean }).hasCaBundle).toBe(true);
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
      // a service-account key's token_uri is a URL Dolly posts the signed assertion to
      const tokenUri = await create(
        strict.app,
        { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } },
        {
          name: `acct-sec-${unique()}`,
          cloud: 'gcp',
          credentials: {
            kind: 'gcp-service-account-key',
            type: 'service_account',
            client_email: 'dolly@example.iam.gserviceaccount.com',
            private_key: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n',
            token_uri: 'https://169.254.169.254/token',
          },
        },
      );
      expect(tokenUri.statusCode).toBe(400);
      expect((tokenUri.json() as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
        'body.credentials.token_uri',
      ]);
    } finally {
      await strict.close();
    }
  });
});
