import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, startHarness } from './support/harness.ts';

let h: Harness;
type Cred = { headers: Record<string, string> };
const as = async (email: string): Promise<Cred> => {
  const s = await login(h.app, email);
  return { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } };
};
let owner: Cred;
let admin: Cred;
let developer: Cred;
const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

beforeAll(async () => {
  h = await startHarness();
  owner = await as('owner@demo.dolly');
  admin = await as('admin@demo.dolly');
  developer = await as('developer@demo.dolly');
});
afterAll(async () => {
  await h?.close();
});

describe('API tokens', () => {
  it('shows the secret once, stores only its hash, and stops working when revoked', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      ...developer,
      payload: { name: `ci-${unique()}`, role: 'developer', expiresInDays: 30 },
    });
    expect(created.statusCode).toBe(201);
    const { id, token, prefix } = created.json() as { id: string; token: string; prefix: string };
    expect(token).toMatch(/^dolly_/);
    expect(token.startsWith(prefix)).toBe(true);
    const row = await h.db.apiToken.findUniqueOrThrow({ where: { id } });
    expect(row.tokenHash).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token);

    const bearer = { headers: { authorization: `Bearer ${token}` } };
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', ...bearer });
    expect(me.json()).toMatchObject({ role: 'developer', user: { email: 'developer@demo.dolly' } });
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/tokens', ...developer });
    const listed = (list.json() as { items: { id: string; lastUsedAt: string | null }[] }).items.find(
      (t) => t.id === id,
    );
    expect(listed?.lastUsedAt).not.toBeNull();
    expect(list.body).not.toContain(token);

    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, ...developer })).statusCode,
    ).toBe(204);
    const after = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', ...bearer });
    expect(after.statusCode).toBe(401);
  });

  it('never grants a token a role above its creator', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      ...developer,
      payload: { name: `x-${unique()}`, role: 'admin' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: 'forbidden',
      detail: expect.stringContaining('cannot grant the admin role'),
    });
  });

  it('refuses an expired token', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      ...developer,
      payload: { name: `exp-${unique()}`, role: 'viewer', expiresInDays: 1 },
    });
    const { id, token } = created.json() as { id: string; token: string };
    await h.db.apiToken.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('members', () => {
  it('invites a new person with a one-time password that signs them in', async () => {
    const email = `new-${unique()}@demo.dolly`;
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/members',
      ...admin,
      payload: { email, role: 'developer' },
    });
    expect(res.statusCode).toBe(201);
    const { initialPassword } = res.json() as { initialPassword: string };
    const signIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: initialPassword },
    });
    expect(signIn.json()).toMatchObject({ role: 'developer', tenant: { slug: 'demo' } });
  });

  it('keeps privilege boundaries: an admin neither grants owner nor touches an owner', async () => {
    const grant = await h.app.inject({
      method: 'POST',
      url: '/api/v1/members',
      ...admin,
      payload: { email: `o-${unique()}@demo.dolly`, role: 'owner' },
    });
    expect(grant.statusCode).toBe(403);
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/members', ...admin });
    const ownerRow = (list.json() as { items: { id: string; role: string }[] }).items.find(
      (m) => m.role === 'owner',
    );
    const demote = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/members/${ownerRow?.id}`,
      ...admin,
      payload: { role: 'viewer' },
    });
    expect(demote.statusCode).toBe(403);
  });

  it('keeps at least one owner', async () => {
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/members', ...owner });
    const ownerRow = (list.json() as { items: { id: string; role: string }[] }).items.find(
      (m) => m.role === 'owner',
    );
    const res = await h.app.inject({ method: 'DELETE', url: `/api/v1/members/${ownerRow?.id}`, ...owner });
    expect(res.statusCode).toBe(409);
  });
});

describe('clone policies', () => {
  it('are evaluated with the fixed prod guard first and tenant rules by priority', async () => {
    const name = `prod-to-dev-${unique()}`;
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/policies',
      ...admin,
      payload: {
        name,
        effect: 'allow',
        roles: ['developer'],
        source: { env: ['prod'] },
        target: { env: ['dev'] },
        requireApproval: true,
        priority: 1,
      },
    });
    expect(created.statusCode).toBe(201);
    const intoDev = await h.app.inject({
      method: 'POST',
      url: '/api/v1/policies/evaluate',
      ...developer,
      payload: {
        action: 'clone',
        source: { env: 'prod', cluster: 'shop-prod' },
        target: { env: 'dev', cluster: 'shop-copy' },
      },
    });
    expect(intoDev.json()).toMatchObject({ allowed: true, requireApproval: true, rule: name });
    const intoProd = await h.app.inject({
      method: 'POST',
      url: '/api/v1/policies/evaluate',
      ...developer,
      payload: {
        action: 'clone',
        source: { env: 'dev', cluster: 'a' },
        target: { env: 'prod', cluster: 'b' },
      },
    });
    expect(intoProd.json()).toMatchObject({ allowed: false, reason: 'Developers cannot clone into prod' });
    const duplicate = await h.app.inject({
      method: 'POST',
      url: '/api/v1/policies',
      ...admin,
      payload: { name, effect: 'deny' },
    });
    expect(duplicate.statusCode).toBe(409);
    await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/policies/${(created.json() as { id: string }).id}`,
      ...admin,
    });
  });

  it('names the bad field of a policy', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/policies',
      ...admin,
      payload: { name: 'x', effect: 'maybe', roles: ['king'] },
    });
    expect(res.statusCode).toBe(400);
    const paths = (res.json() as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.effect', 'body.roles.0']));
  });
});

describe('audit log', () => {
  it('records mutating actions and denied attempts with actor, outcome and request id, and exports JSON lines', async () => {
    const denied = await h.app.inject({
      method: 'POST',
      url: '/api/v1/policies',
      ...developer,
      payload: { name: 'nope', effect: 'deny' },
      headers: { ...developer.headers, 'x-request-id': `audit-${unique()}` },
    });
    expect(denied.statusCode).toBe(403);
    const requestId = denied.headers['x-request-id'] as string;
    const log = await h.app.inject({
      method: 'GET',
      url: '/api/v1/audit?outcome=denied&actor=developer@demo.dolly',
      ...admin,
    });
    const entry = (
      log.json() as { items: { requestId: string; action: string; outcome: string; actor: string }[] }
    ).items.find((e) => e.requestId === requestId);
    expect(entry).toMatchObject({
      action: 'policy.create',
      outcome: 'denied',
      actor: 'developer@demo.dolly',
    });

    const exported = await h.app.inject({
      method: 'GET',
      url: '/api/v1/audit/export?action=policy',
      ...admin,
    });
    expect(exported.headers['content-type']).toContain('application/x-ndjson');
    const lines = exported.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.action.includes('policy'))).toBe(true);

    const asDeveloper = await h.app.inject({ method: 'GET', url: '/api/v1/audit', ...developer });
    expect(asDeveloper.statusCode).toBe(403);
  });

  it('never shows one tenant the audit of another', async () => {
    const other = await as('owner@other.dolly');
    const log = await h.app.inject({
      method: 'GET',
      url: '/api/v1/audit?actor=developer@demo.dolly',
      ...other,
    });
    expect((log.json() as { items: unknown[] }).items).toEqual([]);
  });
});
