import { createDatabase } from '@dolly/db';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.ts';

let h: Harness;
beforeAll(async () => {
  // the worker reconciles schedulers at start: make sure a tenant has an account by then
  const db = createDatabase(process.env.DATABASE_URL ?? '');
  const tenant = await db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
  await db.cloudAccount.upsert({
    where: { tenantId_name: { tenantId: tenant.id, name: 'schedule-test' } },
    create: {
      tenantId: tenant.id,
      name: 'schedule-test',
      cloud: 'gcp',
      credentialKind: 'gcp-application-default',
    },
    update: {},
  });
  await db.$disconnect();
  // every 0.6 s instead of every 15 minutes
  h = await startHarness({}, { syncIntervalMinutes: 0.01 });
}, 30_000);
afterAll(async () => {
  // other test files sync "every account of the tenant": leave them none that points nowhere
  await h?.db.cloudAccount.deleteMany({ where: { name: 'schedule-test' } });
  await h?.close();
});

it('schedules an inventory sync per tenant with cloud accounts, and never piles them up', async () => {
  const schedulers = await h.queues.queue('runs').getJobSchedulers();
  const ids = schedulers.map((s) => s.key ?? s.id);
  const withAccounts = await h.db.tenant.findMany({
    where: { accounts: { some: {} } },
    select: { id: true },
  });
  for (const t of withAccounts) expect(ids).toContain(`sync:${t.id}`);
  const since = new Date();
  const deadline = Date.now() + 20_000;
  let scheduled = 0;
  while (Date.now() < deadline && scheduled === 0) {
    await new Promise((r) => setTimeout(r, 200));
    scheduled = await h.db.run.count({
      where: { kind: 'sync', createdAt: { gte: since }, input: { path: ['scheduled'], equals: true } },
    });
  }
  expect(scheduled).toBeGreaterThan(0);
  // ticks keep coming, but a tenant never has two syncs waiting or running at once
  await new Promise((r) => setTimeout(r, 1500));
  for (const t of withAccounts) {
    const active = await h.db.run.count({
      where: { tenantId: t.id, kind: 'sync', status: { in: ['queued', 'running', 'waiting'] } },
    });
    expect(active).toBeLessThanOrEqual(1);
  }
}, 40_000);
