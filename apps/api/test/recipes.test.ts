import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';
import { login } from './support/harness.ts';

interface RecipeView {
  id: string;
  name: string;
  owner: { id: string; email: string | null };
  schedule: string | null;
  timezone: string;
  enabled: boolean;
  nextRunAt: string | null;
  lastRun: { id: string; status: string } | null;
}
interface Problem {
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

let s: CloudStack;
const tag = Date.now().toString(36).slice(-5);
const ns = `shop-rcp-${tag}`;
/** An operator of the demo tenant of this file's own, so demoting them disturbs no other test file. */
const ownerEmail = `recipe-owner-${tag}@demo.dolly`;
let ownerId = '';
let ownerSession: { cookie: string; csrf: string };
const policyIds: string[] = [];

beforeAll(async () => {
  s = await startCloudStack();
  await s.sync();
  const operator = await s.h.db.user.findUniqueOrThrow({ where: { email: 'operator@demo.dolly' } });
  const owner = await s.h.db.user.create({
    data: { email: ownerEmail, name: 'Recipe owner', passwordHash: operator.passwordHash },
  });
  ownerId = owner.id;
  await s.h.db.membership.create({ data: { tenantId: s.tenant.id, userId: owner.id, role: 'operator' } });
  ownerSession = await login(s.h.app, ownerEmail);
}, 90_000);
afterAll(async () => {
  await s?.h.db.environmentRecipe.deleteMany({ where: { name: { endsWith: tag } } });
  await s?.h.db.clonePolicy.deleteMany({ where: { id: { in: policyIds } } });
  await s?.h.db.membership.deleteMany({ where: { userId: ownerId } });
  await s?.h.db.user.deleteMany({ where: { id: ownerId } });
  await s?.close();
});

/** The API as the recipe owner of this file. */
async function asOwner<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  const res = await s.h.app.inject({
    method,
    url,
    headers: { cookie: ownerSession.cookie, 'x-csrf-token': ownerSession.csrf },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T };
}

const recipe = async (name: string, target: string, extra: object = {}) => ({
  name: `${name}-${tag}`,
  sourceClusterId: await s.clusterId('gcp', 'shop-prod'),
  targetClusterId: await s.clusterId('aws', 'shop-dev'),
  spec: {
    // the shop reads its database password from a Secret: operators may copy it
    workloads: {
      namespaces: ['shop'],
      namespaceMap: { shop: target },
      includeSecrets: true,
      readyTimeoutSec: 60,
    },
  },
  schedule: '0 2 * * *',
  timezone: 'Europe/Berlin',
  ...extra,
});

const schedulers = async () =>
  (await s.h.queues.queue('runs').getJobSchedulers()).map((j) => ({
    id: j.key ?? j.id,
    pattern: j.pattern,
    tz: j.tz,
  }));

/**
 * The recipe's own BullMQ scheduler, made to fire every second: the real tick (job, worker,
 * processor) without waiting for 02:00 in Berlin.
 */
async function fireEverySecond(recipeId: string) {
  await s.h.queues.queue('runs').upsertJobScheduler(
    `recipe:${recipeId}`,
    { pattern: '* * * * * *' },
    {
      name: 'scheduled-recipe',
      data: { tenantId: s.tenant.id, recipeId },
      opts: { removeOnComplete: 100 },
    },
  );
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ticks = (recipeId: string, outcome: string) =>
  s.h.db.auditEntry.findMany({
    where: { action: 'recipe.run', targetId: recipeId, outcome },
    orderBy: { id: 'asc' },
  });

async function addPolicy(body: object) {
  const res = await s.api<{ id: string }>('owner', 'POST', '/api/v1/policies', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  policyIds.push(res.body.id);
  return res.body.id;
}

describe('environment recipes', () => {
  it('lets operators save recipes and viewers read them; a developer is refused', async () => {
    const dev = await s.api<Problem>('developer', 'POST', '/api/v1/recipes', await recipe('dev', `${ns}-x`));
    expect(dev.status).toBe(403);
    const list = await s.api<{ items: RecipeView[] }>('viewer', 'GET', '/api/v1/recipes');
    expect(list.status).toBe(200);
    const viewer = await s.api<Problem>('viewer', 'POST', '/api/v1/recipes', await recipe('v', `${ns}-x`));
    expect(viewer.status).toBe(403);
  });

  it('refuses a bad schedule, time zone, target or namespace, naming the field', async () => {
    const bad = async (extra: object) =>
      (await s.api<Problem>('operator', 'POST', '/api/v1/recipes', await recipe('bad', `${ns}-x`, extra)))
        .body;
    const cron = await bad({ schedule: '0 2 * *' });
    expect(cron.errors).toEqual([
      expect.objectContaining({ path: 'body.schedule', message: expect.stringMatching(/five-field cron/) }),
    ]);
    const tz = await bad({ timezone: 'Mars/Olympus_Mons' });
    expect(tz.errors).toEqual([
      expect.objectContaining({ path: 'body.timezone', message: expect.stringMatching(/IANA/) }),
    ]);
    const target = await bad({ targetClusterId: null });
    expect(target.errors).toEqual([expect.objectContaining({ path: 'body.targetClusterId' })]);
    const system = await bad({
      spec: { workloads: { namespaces: ['shop'], namespaceMap: { shop: 'kube-system' } } },
    });
    expect(system.errors).toEqual([
      expect.objectContaining({ path: 'body.spec.workloads.namespaceMap.shop' }),
    ]);
    const recreate = await bad({ targetClusterId: null, recreateCluster: true });
    expect(recreate.errors).toEqual([expect.objectContaining({ path: 'body.spec.clone' })]);
    expect(await s.h.db.environmentRecipe.count({ where: { name: `bad-${tag}` } })).toBe(0);
  });

  it('saves a nightly recipe with its scheduler; run now migrates with the recipe id; disable and delete stop it', async () => {
    const created = await s.api<RecipeView>(
      'operator',
      'POST',
      '/api/v1/recipes',
      await recipe('nightly', ns),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect(created.body.owner.email).toBe('operator@demo.dolly');
    // 02:00 in Berlin is 01:00 UTC in December
    const next = new Date(created.body.nextRunAt ?? '');
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect([0, 1]).toContain(next.getUTCHours());
    expect(await schedulers()).toContainEqual({
      id: `recipe:${id}`,
      pattern: '0 2 * * *',
      tz: 'Europe/Berlin',
    });

    const again = await s.api<Problem>('operator', 'POST', '/api/v1/recipes', await recipe('nightly', ns));
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([expect.objectContaining({ path: 'body.name' })]);

    const started = await s.api<RunView>('operator', 'POST', `/api/v1/recipes/${id}/run`, {});
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.kind).toBe('migrate');
    const row = await s.h.db.run.findUniqueOrThrow({ where: { id: started.body.id } });
    expect(row.recipeId).toBe(id);
    const busy = await s.api<Problem>('operator', 'POST', `/api/v1/recipes/${id}/run`, {});
    expect(busy.status).toBe(409);
    const done = await s.waitRun(started.body.id, undefined, 120_000);
    expect(done.status, JSON.stringify(done.error ?? done.result)).toBe('succeeded');

    const history = await s.api<{ items: RunView[] }>('viewer', 'GET', `/api/v1/recipes/${id}/runs`);
    expect(history.body.items.map((r) => r.id)).toEqual([started.body.id]);
    const read = await s.api<RecipeView>('viewer', 'GET', `/api/v1/recipes/${id}`);
    expect(read.body.lastRun).toEqual(expect.objectContaining({ id: started.body.id, status: 'succeeded' }));

    const off = await s.api<RecipeView>('operator', 'PATCH', `/api/v1/recipes/${id}`, { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.nextRunAt).toBeNull();
    expect((await schedulers()).map((j) => j.id)).not.toContain(`recipe:${id}`);
    const on = await s.api<RecipeView>('operator', 'PATCH', `/api/v1/recipes/${id}`, {
      enabled: true,
      schedule: '30 3 * * 1',
      timezone: 'UTC',
    });
    expect(on.body.nextRunAt).toMatch(/T03:30:00/);
    expect(await schedulers()).toContainEqual({ id: `recipe:${id}`, pattern: '30 3 * * 1', tz: 'UTC' });
    const gone = await s.api('operator', 'DELETE', `/api/v1/recipes/${id}`);
    expect(gone.status).toBe(204);
    expect((await schedulers()).map((j) => j.id)).not.toContain(`recipe:${id}`);
    // the run stays in the history, without its recipe
    expect((await s.h.db.run.findUniqueOrThrow({ where: { id: started.body.id } })).recipeId).toBeNull();
  }, 300_000);

  it('with recreateCluster, run now clones the plan item and migrates into the new cluster, as one environment run', async () => {
    const plan = await s.api<{ id: string }>('operator', 'POST', '/api/v1/plans', {
      source: { clusterIds: [await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod')] },
      target: { accountId: s.account('aws').id, environment: 'dev', nameSuffix: `-rcp${tag}` },
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const wrongSource = await s.api<Problem>(
      'operator',
      'POST',
      '/api/v1/recipes',
      await recipe('recreate', `${ns}-rc`, {
        sourceClusterId: await s.clusterId('aws', 'shop-dev'),
        targetClusterId: null,
        recreateCluster: true,
        spec: { workloads: { namespaces: ['shop'] }, clone: { planId: plan.body.id } },
      }),
    );
    expect(wrongSource.body.errors).toEqual([expect.objectContaining({ path: 'body.sourceClusterId' })]);
    const created = await s.api<RecipeView & { targetAccountId: string }>(
      'operator',
      'POST',
      '/api/v1/recipes',
      await recipe('recreate', `${ns}-rc`, {
        targetClusterId: null,
        recreateCluster: true,
        spec: {
          workloads: { namespaces: ['shop'], includeSecrets: true, readyTimeoutSec: 60 },
          clone: { planId: plan.body.id, item: 0 },
        },
        schedule: null,
      }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.nextRunAt).toBeNull();
    expect(created.body.targetAccountId).toBe(s.account('aws').id);
    expect((await schedulers()).map((j) => j.id)).not.toContain(`recipe:${created.body.id}`);
    const started = await s.api<RunView>('operator', 'POST', `/api/v1/recipes/${created.body.id}/run`, {});
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.kind).toBe('environment');
    const done = await s.waitRun(started.body.id, undefined, 180_000);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const row = await s.h.db.run.findUniqueOrThrow({ where: { id: done.id } });
    expect([row.recipeId, row.planId, row.planItemIndex]).toEqual([created.body.id, plan.body.id, 0]);
  }, 300_000);

  it('a tick starts the run for its owner; one held for approval waits, and later ticks skip instead of piling up', async () => {
    const target = `${ns}-ap`;
    await addPolicy({
      name: `recipe-approval-${tag}`,
      effect: 'allow',
      target: { namespaceGlob: target },
      requireApproval: true,
      priority: 1,
    });
    const created = await asOwner<RecipeView>('POST', '/api/v1/recipes', await recipe('approval', target));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    await fireEverySecond(id);
    const held = await until('the scheduled run', () =>
      s.h.db.run.findFirst({ where: { recipeId: id, status: 'pending_approval' } }),
    );
    expect(held.requestedById).toBe(ownerId);
    expect(held.input).toEqual(expect.objectContaining({ scheduled: true, namespaces: ['shop'] }));
    const skipped = await until('a skipped tick', async () => (await ticks(id, 'failed')).at(0));
    expect(skipped.detail).toEqual(expect.objectContaining({ skipped: true, activeRunId: held.id }));
    expect(await s.h.db.run.count({ where: { recipeId: id } })).toBe(1);
    expect((await s.h.db.environmentRecipe.findUniqueOrThrow({ where: { id } })).lastRunId).toBe(held.id);

    // the schedule stops before the approval, so the next tick cannot start a second refresh
    expect((await asOwner('PATCH', `/api/v1/recipes/${id}`, { enabled: false })).status).toBe(200);
    const approved = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${held.id}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(202);
    const done = await s.waitRun(held.id, undefined, 120_000);
    expect(done.status, JSON.stringify(done.error ?? done.result)).toBe('succeeded');
  }, 300_000);

  it('refuses a tick once its owner is demoted, or once a new policy forbids it, and runs nothing', async () => {
    const target = `${ns}-dm`;
    const created = await asOwner<RecipeView>('POST', '/api/v1/recipes', await recipe('demoted', target));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    const where = { tenantId_userId: { tenantId: s.tenant.id, userId: ownerId } };
    await s.h.db.membership.update({ where, data: { role: 'developer' } });
    try {
      await fireEverySecond(id);
      const denied = await until('a refused tick', async () => (await ticks(id, 'denied')).at(0));
      expect(denied.actorUserId).toBe(ownerId);
      expect(denied.detail).toEqual(
        expect.objectContaining({ role: 'developer', reason: expect.stringMatching(/operator role/) }),
      );
    } finally {
      await s.h.db.membership.update({ where, data: { role: 'operator' } });
    }
    // the owner is an operator again, but the tenant now forbids the target namespace
    const before = (await ticks(id, 'denied')).length;
    await addPolicy({
      name: `recipe-deny-${tag}`,
      effect: 'deny',
      target: { namespaceGlob: target },
      priority: 1,
    });
    const byPolicy = await until('a tick refused by the new policy', async () =>
      (await ticks(id, 'denied'))
        .slice(before)
        .find((t) => JSON.stringify(t.detail).includes(`recipe-deny-${tag}`)),
    );
    expect(byPolicy.detail).toEqual(expect.objectContaining({ role: 'operator', code: 'policy_denied' }));
    // switching a recipe off is never refused: it can only stop writes
    expect((await asOwner('PATCH', `/api/v1/recipes/${id}`, { enabled: false })).status).toBe(200);
    expect((await schedulers()).map((j) => j.id)).not.toContain(`recipe:${id}`);
    expect(await s.h.db.run.count({ where: { recipeId: id } })).toBe(0);
  }, 120_000);
});
