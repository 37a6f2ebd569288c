import { type Role, roleAtLeast, roles } from '@dolly/authz';
import type { DollyApp } from '../src/app.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, startHarness } from './support/harness.ts';

/**
 * Who may call what: one row per route of the API. The test fails when a route exists without a
 * row here, so a new route cannot ship without deciding who may call it.
 * 'public' = anyone; 'signed-in' = any member; a role = that role and above.
 */
const expected: Record<string, 'public' | 'signed-in' | Role> = {
  'POST /api/v1/auth/login': 'public',
  'GET /api/v1/auth/me': 'signed-in',
  'POST /api/v1/auth/switch-tenant': 'signed-in',
  'POST /api/v1/auth/logout': 'signed-in',
  'POST /api/v1/auth/password': 'signed-in',
  'GET /api/v1/runs/:id': 'viewer',
  'GET /api/v1/runs/:id/events': 'viewer',
  'POST /api/v1/selftest': 'developer',
  'POST /api/v1/tokens': 'developer',
  'GET /api/v1/tokens': 'developer',
  'DELETE /api/v1/tokens/:id': 'developer',
  'GET /api/v1/members': 'operator',
  'POST /api/v1/members': 'admin',
  'PATCH /api/v1/members/:id': 'admin',
  'DELETE /api/v1/members/:id': 'admin',
  'GET /api/v1/policies': 'viewer',
  'POST /api/v1/policies': 'admin',
  'PUT /api/v1/policies/:id': 'admin',
  'DELETE /api/v1/policies/:id': 'admin',
  'POST /api/v1/policies/evaluate': 'viewer',
  'GET /api/v1/policies/environments': 'viewer',
  'PUT /api/v1/policies/environments': 'admin',
  'GET /api/v1/audit': 'admin',
  'GET /api/v1/audit/export': 'admin',
  'GET /api/v1/accounts': 'viewer',
  'GET /api/v1/accounts/:id': 'viewer',
  'POST /api/v1/accounts': 'admin',
  'PATCH /api/v1/accounts/:id': 'admin',
  'DELETE /api/v1/accounts/:id': 'admin',
  'GET /api/v1/clusters': 'viewer',
  'GET /api/v1/clusters/:id': 'viewer',
  'PATCH /api/v1/clusters/:id': 'operator',
  'POST /api/v1/clusters/import': 'operator',
  'PUT /api/v1/clusters/:id/import/credential': 'operator',
  'DELETE /api/v1/clusters/:id/import': 'operator',
  'POST /api/v1/plans': 'developer',
  'GET /api/v1/plans/:id': 'viewer',
  'PUT /api/v1/plans/:id': 'developer',
  'POST /api/v1/plans/:id/apply': 'developer',
  'GET /api/v1/runs': 'viewer',
  'GET /api/v1/runs/stats/durations': 'viewer',
  'POST /api/v1/runs/:id/cancel': 'developer',
  'POST /api/v1/runs/:id/retry': 'developer',
  'POST /api/v1/runs/:id/rollback': 'developer',
  'POST /api/v1/runs/:id/approve': 'operator',
  'POST /api/v1/runs/:id/reject': 'operator',
  'POST /api/v1/inventory/sync': 'operator',
  'POST /api/v1/migrations': 'developer',
  'GET /api/v1/recipes': 'viewer',
  'GET /api/v1/recipes/:id': 'viewer',
  'POST /api/v1/recipes': 'operator',
  'PATCH /api/v1/recipes/:id': 'operator',
  'DELETE /api/v1/recipes/:id': 'operator',
  'POST /api/v1/recipes/:id/run': 'operator',
  'GET /api/v1/recipes/:id/runs': 'viewer',
  'GET /api/v1/clusters/:id/kubeconfig': 'operator',
  'POST /api/v1/clusters/:id/drift': 'developer',
  'GET /api/v1/clusters/:id/drift': 'viewer',
  'POST /api/v1/accounts/:id/test': 'admin',
  'GET /api/v1/webhooks': 'admin',
  'POST /api/v1/webhooks': 'admin',
  'PATCH /api/v1/webhooks/:id': 'admin',
  'DELETE /api/v1/webhooks/:id': 'admin',
  'POST /api/v1/webhooks/:id/test': 'admin',
  'GET /api/v1/webhooks/:id/deliveries': 'admin',
  'GET /api/v1/auth/sso/:tenant': 'public',
  'GET /api/v1/auth/sso/:tenant/start': 'public',
  'GET /api/v1/auth/sso/callback': 'public',
  'GET /api/v1/sso': 'admin',
  'PUT /api/v1/sso': 'admin',
  'DELETE /api/v1/sso': 'admin',
};

type Credential = { headers: Record<string, string> };
let h: Harness;
let app: DollyApp;
const asRole = new Map<Role, { session: Credential; token: Credential }>();
/** ids of objects that belong to tenant `other`, per resource segment of the URL */
const foreignIds = new Map<string, string>();

function sessionHeaders(s: { cookie: string; csrf: string }): Credential {
  return { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } };
}

beforeAll(async () => {
  h = await startHarness();
  app = h.app;
  const owner = await login(app, 'owner@demo.dolly');
  for (const role of roles) {
    const session = await login(app, `${role}@demo.dolly`);
    // A token created by the owner but bounded to `role` must act exactly as that role.
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      ...sessionHeaders(owner),
      payload: { name: `matrix-${role}-${Date.now()}`, role },
    });
    expect(res.statusCode).toBe(201);
    asRole.set(role, {
      session: sessionHeaders(session),
      token: { headers: { authorization: `Bearer ${(res.json() as { token: string }).token}` } },
    });
  }
  const other = sessionHeaders(await login(app, 'owner@other.dolly'));
  const run = await app.inject({ method: 'POST', url: '/api/v1/selftest', ...other, payload: {} });
  foreignIds.set('runs', (run.json() as { id: string }).id);
  const token = await app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    ...other,
    payload: { name: `foreign-${Date.now()}`, role: 'viewer' },
  });
  foreignIds.set('tokens', (token.json() as { id: string }).id);
  const policy = await app.inject({
    method: 'POST',
    url: '/api/v1/policies',
    ...other,
    payload: { name: `foreign-${Date.now()}`, effect: 'deny' },
  });
  foreignIds.set('policies', (policy.json() as { id: string }).id);
  const members = await app.inject({ method: 'GET', url: '/api/v1/members', ...other });
  foreignIds.set('members', (members.json() as { items: { id: string }[] }).items[0]?.id ?? '');
  const account = await app.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    ...other,
    payload: {
      name: `foreign-${Date.now()}`,
      cloud: 'aws',
      credentials: {
        kind: 'aws-access-key',
        accessKeyId: 'AKIAFOREIGN0000000',
        secretAccessKey: 'foreign-secret-access-key',
      },
    },
  });
  const accountId = (account.json() as { id: string }).id;
  foreignIds.set('accounts', accountId);
  const otherTenant = await h.db.tenant.findUniqueOrThrow({ where: { slug: 'other' } });
  const spec = {
    cloud: 'aws',
    scope: '222222222222',
    location: 'us-east-1',
    name: `foreign-${Date.now()}`,
    kubernetesVersion: '1.34',
    labels: {},
    nodePools: [],
  };
  const cluster = await h.db.cluster.create({
    data: {
      tenantId: otherTenant.id,
      accountId,
      cloud: 'aws',
      scope: spec.scope,
      location: spec.location,
      name: spec.name,
      kubernetesVersion: '1.34',
      spec,
    },
  });
  foreignIds.set('clusters', cluster.id);
  const plan = await h.db.plan.create({
    data: { tenantId: otherTenant.id, document: { apiVersion: 'dolly/v1', kind: 'ClonePlan', items: [] } },
  });
  foreignIds.set('plans', plan.id);
  const otherOwner = await h.db.user.findUniqueOrThrow({ where: { email: 'owner@other.dolly' } });
  const recipe = await h.db.environmentRecipe.create({
    data: {
      tenantId: otherTenant.id,
      name: `foreign-${Date.now()}`,
      ownerId: otherOwner.id,
      sourceClusterId: cluster.id,
      targetClusterId: cluster.id,
      spec: { workloads: { namespaces: ['shop'] } },
    },
  });
  foreignIds.set('recipes', recipe.id);
  const webhook = await app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    ...other,
    payload: { url: 'http://127.0.0.1:9/foreign', events: ['run.failed'] },
  });
  foreignIds.set('webhooks', (webhook.json() as { id: string }).id);
});
afterAll(async () => {
  await h?.close();
});

/** Valid bodies, so a 404 is about the foreign id and not about the body. */
const updateBodies: Record<string, unknown> = {
  policies: { name: 'x', effect: 'deny' },
  members: { role: 'viewer' },
  accounts: { name: 'renamed' },
  clusters: { environment: 'dev' },
  plans: { document: { apiVersion: 'dolly/v1', kind: 'ClonePlan', items: [] } },
  webhooks: { enabled: false },
  recipes: { enabled: false },
};

const RANDOM_ID = '01234567-89ab-7def-8123-456789abcdef';
const call = (method: string, url: string, cred?: Credential) =>
  app.inject({
    method: method as 'GET',
    url: url.replace(':id', RANDOM_ID),
    ...(cred ?? {}),
    ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
  });

describe('authorization matrix', () => {
  it('has a row for every route and no row for a route that does not exist', () => {
    const actual = app.routeTable.map((r) => `${r.method} ${r.url}`).sort();
    expect(actual.filter((r) => !(r in expected))).toEqual([]);
    expect(Object.keys(expected).filter((r) => !actual.includes(r))).toEqual([]);
  });

  it.each(Object.entries(expected))(
    '%s: right roles in, others out (session and token)',
    async (route, who) => {
      const [method, url] = route.split(' ') as [string, string];
      if (url === '/api/v1/auth/logout') return; // would end the shared sessions; covered by its own test
      const anonymous = await call(method, url);
      if (who === 'public') expect([401, 403]).not.toContain(anonymous.statusCode);
      else expect(anonymous.statusCode).toBe(401);
      for (const role of roles) {
        for (const via of ['session', 'token'] as const) {
          const res = await call(method, url, asRole.get(role)?.[via]);
          const allowed = who === 'public' || who === 'signed-in' || roleAtLeast(role, who);
          if (via === 'token' && url === '/api/v1/auth/switch-tenant') continue; // tokens belong to one tenant
          if (via === 'token' && url === '/api/v1/auth/password') continue; // people change passwords, not tokens
          if (allowed)
            expect([401, 403], `${role} via ${via} got ${res.statusCode} ${res.body}`).not.toContain(
              res.statusCode,
            );
          else expect(res.statusCode, `${role} via ${via}`).toBe(403);
        }
      }
    },
  );

  it.each(Object.keys(expected).filter((r) => r.includes(':id')))(
    "%s: another tenant's object answers 404",
    async (route) => {
      const [method, url] = route.split(' ') as [string, string];
      const resource = url.split('/')[3] ?? '';
      const id = foreignIds.get(resource);
      expect(id, `no foreign ${resource} to try`).toBeTruthy();
      const owner = asRole.get('owner')?.session;
      const res = await app.inject({
        method: method as 'GET',
        url: url.replace(':id', id ?? ''),
        ...(owner ?? {}),
        ...(method === 'PUT' || method === 'PATCH' ? { payload: updateBodies[resource] ?? {} } : {}),
      });
      expect(res.statusCode).toBe(404);
    },
  );
});
