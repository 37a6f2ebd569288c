/**
 * The smaller holes of the security review, as a script user or an attacker would meet them:
 * login limits that a forged X-Forwarded-For or a second replica cannot reset, tokens that cannot
 * outlive or outrank the token that made them, audited kubeconfig reads, policy previews capped at
 * the caller's role, invites that reveal nothing about other tenants' users, /metrics not public,
 * and one-time passwords that must be changed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, startHarness } from './support/harness.ts';

let h: Harness;
type Cred = { headers: Record<string, string> };
const as = async (app: Harness['app'], email: string, password = 'dolly-demo'): Promise<Cred> => {
  const s = await login(app, email, password);
  return { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } };
};
const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  h = await startHarness({ DOLLY_LOGIN_RATE_LIMIT: '5' }, { worker: false });
});
afterAll(async () => {
  await h?.close();
});

async function failLogin(app: Harness['app'], email: string, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers,
    payload: { email, password: 'wrong-password' },
    remoteAddress: '203.0.113.7',
  });
}

describe('login rate limit', () => {
  it('is not reset by a forged X-Forwarded-For', async () => {
    const email = `nobody-${unique()}@example.com`;
    const codes: number[] = [];
    for (let i = 0; i < 7; i++)
      codes.push((await failLogin(h.app, email, { 'x-forwarded-for': `198.51.100.${i + 1}` })).statusCode);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual([429, 429]);
  });

  it('holds across API replicas (the count lives in Redis)', async () => {
    const other = await startHarness({ DOLLY_LOGIN_RATE_LIMIT: '5' }, { worker: false, prefix: h.prefix });
    try {
      const email = `nobody-${unique()}@example.com`;
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) codes.push((await failLogin(i % 2 ? other.app : h.app, email)).statusCode);
      expect(codes.filter((c) => c === 401)).toHaveLength(5);
      expect(codes[5]).toBe(429);
      const problem = (await failLogin(h.app, email)).json() as { code: string };
      expect(problem.code).toBe('rate_limited');
    } finally {
      await other.close();
    }
  });

  it('trusts X-Forwarded-For only from configured proxies', async () => {
    const proxied = await startHarness(
      { DOLLY_LOGIN_RATE_LIMIT: '5', DOLLY_TRUST_PROXY: '203.0.113.7' },
      { worker: false },
    );
    try {
      const email = `nobody-${unique()}@example.com`;
      // Behind the trusted proxy, clients are told apart by the address the proxy saw.
      const codes: number[] = [];
      for (let i = 0; i < 6; i++)
        codes.push(
          (await failLogin(proxied.app, email, { 'x-forwarded-for': `198.51.100.${i + 1}` })).statusCode,
        );
      expect(codes).toEqual([401, 401, 401, 401, 401, 401]);
    } finally {
      await proxied.close();
    }
  });

  it('refuses a malformed proxy list at start, naming the variable', async () => {
    await expect(startHarness({ DOLLY_TRUST_PROXY: 'not-an-address' }, { worker: false })).rejects.toThrow(
      /DOLLY_TRUST_PROXY/,
    );
  });
});

describe('tokens made by tokens', () => {
  async function tokenFor(cred: Cred, body: Record<string, unknown>) {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/tokens', ...cred, payload: body });
    return res;
  }

  it('cannot outlive the token that creates them', async () => {
    const operator = await as(h.app, 'operator@demo.dolly');
    const parent = (
      await tokenFor(operator, { name: `p-${unique()}`, role: 'operator', expiresInDays: 2 })
    ).json() as {
      token: string;
    };
    const bearer = { headers: { authorization: `Bearer ${parent.token}` } };
    const longer = await tokenFor(bearer, { name: `c-${unique()}`, role: 'operator', expiresInDays: 30 });
    expect(longer.statusCode).toBe(403);
    expect((longer.json() as { errors?: { path: string }[] }).errors?.[0]?.path).toBe('body.expiresInDays');
    const forever = await tokenFor(bearer, { name: `c-${unique()}`, role: 'operator' });
    expect(forever.statusCode).toBe(403);
    const within = await tokenFor(bearer, { name: `c-${unique()}`, role: 'developer', expiresInDays: 1 });
    expect(within.statusCode).toBe(201);
  });

  it('cannot have a broader role than the token that creates them', async () => {
    const admin = await as(h.app, 'admin@demo.dolly');
    const parent = (
      await tokenFor(admin, { name: `p-${unique()}`, role: 'developer', expiresInDays: 5 })
    ).json() as {
      token: string;
    };
    const res = await tokenFor(
      { headers: { authorization: `Bearer ${parent.token}` } },
      { name: `c-${unique()}`, role: 'admin', expiresInDays: 1 },
    );
    expect(res.statusCode).toBe(403);
  });

  it('are revoked with the token that created them, down the chain', async () => {
    const operator = await as(h.app, 'operator@demo.dolly');
    const parent = (
      await tokenFor(operator, { name: `p-${unique()}`, role: 'operator', expiresInDays: 5 })
    ).json() as {
      id: string;
      token: string;
    };
    const child = (
      await tokenFor(
        { headers: { authorization: `Bearer ${parent.token}` } },
        { name: `c-${unique()}`, role: 'operator', expiresInDays: 2 },
      )
    ).json() as { token: string };
    const grandchild = (
      await tokenFor(
        { headers: { authorization: `Bearer ${child.token}` } },
        { name: `g-${unique()}`, role: 'developer', expiresInDays: 1 },
      )
    ).json() as { token: string };
    const me = (token: string) =>
      h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect((await me(grandchild.token)).statusCode).toBe(200);
    const revoked = await h.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${parent.id}`, ...operator });
    expect(revoked.statusCode).toBe(204);
    expect((await me(child.token)).statusCode).toBe(401);
    expect((await me(grandchild.token)).statusCode).toBe(401);
  });
});

describe('reads that hand out secrets', () => {
  it('audits kubeconfig downloads, also those that fail', async () => {
    const operator = await as(h.app, 'operator@demo.dolly');
    const id = randomUUID();
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/clusters/${id}/kubeconfig`, ...operator });
    expect(res.statusCode).toBe(404);
    // The audit line is written as the response goes out.
    await expect
      .poll(
        async () =>
          (await h.db.auditEntry.findFirst({ where: { action: 'cluster.kubeconfig', targetId: id } }))
            ?.outcome,
      )
      .toBe('failed');
  });
});

describe('policy previews', () => {
  it('answer only for roles at most the caller’s', async () => {
    const developer = await as(h.app, 'developer@demo.dolly');
    const body = (role: string) => ({
      action: 'clone',
      role,
      source: { env: 'prod', cluster: 'shop-prod' },
      target: { env: 'dev', cluster: 'shop-dev' },
    });
    const above = await h.app.inject({
      method: 'POST',
      url: '/api/v1/policies/evaluate',
      ...developer,
      payload: body('owner'),
    });
    expect(above.statusCode).toBe(403);
    expect((above.json() as { errors?: { path: string }[] }).errors?.[0]?.path).toBe('body.role');
    const same = await h.app.inject({
      method: 'POST',
      url: '/api/v1/policies/evaluate',
      ...developer,
      payload: body('viewer'),
    });
    expect(same.statusCode).toBe(200);
  });
});

describe('invites', () => {
  it('do not reveal the name of a user of another tenant', async () => {
    const admin = await as(h.app, 'admin@demo.dolly');
    const other = await h.db.user.findUniqueOrThrow({ where: { email: 'owner@other.dolly' } });
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/members',
      ...admin,
      payload: { email: 'owner@other.dolly', role: 'viewer' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain(other.name);
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/members', ...admin });
    expect(list.body).not.toContain(other.name);
    const m = await h.db.membership.findFirstOrThrow({
      where: { userId: other.id, tenant: { slug: 'demo' } },
    });
    await h.db.membership.delete({ where: { id: m.id } });
  });
});

describe('/metrics', () => {
  it('is not answered to the network without the metrics token', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '198.51.100.20' });
    expect([401, 403, 404]).toContain(res.statusCode);
    expect(res.body).not.toContain('dolly_');
  });

  it('answers with the configured bearer token', async () => {
    const withToken = await startHarness({ DOLLY_METRICS_TOKEN: 'scrape-secret-123456' }, { worker: false });
    try {
      const res = await withToken.app.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress: '198.51.100.20',
        headers: { authorization: 'Bearer scrape-secret-123456' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('dolly_');
      const wrong = await withToken.app.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress: '198.51.100.20',
        headers: { authorization: 'Bearer nope' },
      });
      expect(wrong.statusCode).toBe(401);
    } finally {
      await withToken.close();
    }
  });
});

describe('passwords', () => {
  it('a one-time password from an invite must be changed before anything else', async () => {
    const admin = await as(h.app, 'admin@demo.dolly');
    const email = `new-${unique()}@example.com`;
    const invited = await h.app.inject({
      method: 'POST',
      url: '/api/v1/members',
      ...admin,
      payload: { email, role: 'developer', name: 'New Person' },
    });
    const { initialPassword } = invited.json() as { initialPassword: string };
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: initialPassword },
    });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { mustChangePassword: boolean }).mustChangePassword).toBe(true);
    const s = await as(h.app, email, initialPassword);
    const blocked = await h.app.inject({ method: 'GET', url: '/api/v1/clusters', ...s });
    expect(blocked.statusCode).toBe(403);
    expect((blocked.json() as { code: string }).code).toBe('password_change_required');
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', ...s });
    expect(me.statusCode).toBe(200);

    const same = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      ...s,
      payload: { currentPassword: initialPassword, newPassword: initialPassword },
    });
    expect(same.statusCode).toBe(400);
    const changed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      ...s,
      payload: { currentPassword: initialPassword, newPassword: 'a-new-long-passphrase' },
    });
    expect(changed.statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/clusters', ...s })).statusCode).toBe(200);
    const old = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: initialPassword },
    });
    expect(old.statusCode).toBe(401);
    const fresh = await as(h.app, email, 'a-new-long-passphrase');
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/clusters', ...fresh })).statusCode).toBe(200);
  });

  it('changing a password needs the current one and a long enough new one', async () => {
    const admin = await as(h.app, 'admin@demo.dolly');
    const email = `pw-${unique()}@example.com`;
    const invited = await h.app.inject({
      method: 'POST',
      url: '/api/v1/members',
      ...admin,
      payload: { email, role: 'viewer' },
    });
    const { initialPassword } = invited.json() as { initialPassword: string };
    const s = await as(h.app, email, initialPassword);
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      ...s,
      payload: { currentPassword: 'not-it', newPassword: 'another-long-passphrase' },
    });
    expect(wrong.statusCode).toBe(403);
    const short = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      ...s,
      payload: { currentPassword: initialPassword, newPassword: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect((short.json() as { errors?: { path: string }[] }).errors?.[0]?.path).toBe('body.newPassword');
  });
});
