import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, startHarness } from './support/harness.ts';

/** The inventory list as one SQL statement: every filter, the pool sums and paging still hold. */
let h: Harness;
let viewer: { headers: { cookie: string } };
let operator: { headers: { cookie: string; 'x-csrf-token': string } };
const tag = `inv${Date.now().toString(36)}`;
const ids: Record<string, string> = {};

type Summary = { id: string; name: string; accountName: string; pools: number; nodes: number; cloud: string };

beforeAll(async () => {
  h = await startHarness({}, { worker: false });
  const tenant = await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
  const account = await h.db.cloudAccount.create({
    data: { tenantId: tenant.id, name: `Inventory ${tag}`, cloud: 'aws', credentialKind: 'aws-access-key' },
  });
  const rows = [
    { name: `${tag}-Alpha_1`, location: 'us-east-1', labels: { team: 'shop', tier: 'web' }, pools: [2, 3] },
    { name: `${tag}-alphax1`, location: 'us-east-1', labels: { team: 'shop', tier: 'db' }, pools: [5] },
    { name: `${tag}-beta`, location: 'eu-west-1', labels: { team: 'data' }, pools: [] },
    { name: `${tag}-gone`, location: 'eu-west-1', labels: {}, pools: [1], vanished: true },
  ];
  for (const r of rows) {
    const c = await h.db.cluster.create({
      data: {
        tenantId: tenant.id,
        accountId: account.id,
        cloud: 'aws',
        scope: '123456789012',
        location: r.location,
        name: r.name,
        kubernetesVersion: '1.33',
        labels: r.labels,
        spec: { big: 'x'.repeat(10_000) },
        ...(r.vanished ? { vanishedAt: new Date() } : {}),
        nodePools: {
          create: r.pools.map((n, i) => ({
            name: `p${i}`,
            machineType: 'm6i.large',
            nodeCount: n,
            spec: {},
          })),
        },
      },
    });
    ids[r.name.slice(tag.length + 1)] = c.id;
  }
  viewer = { headers: { cookie: (await login(h.app, 'viewer@demo.dolly')).cookie } };
  const op = await login(h.app, 'operator@demo.dolly');
  operator = { headers: { cookie: op.cookie, 'x-csrf-token': op.csrf } };
});
afterAll(async () => {
  await h?.close();
});

async function list(query: string) {
  const res = await h.app.inject({ method: 'GET', url: `/api/v1/clusters?${query}`, ...viewer });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: Summary[]; nextCursor: string | null };
}

describe('GET /api/v1/clusters', () => {
  it('sums pools and nodes per cluster and names the account, without the spec', async () => {
    const { items } = await list(`q=${tag}`);
    expect(items.map((c) => [c.name.slice(tag.length + 1), c.pools, c.nodes])).toEqual([
      ['Alpha_1', 2, 5],
      ['alphax1', 1, 5],
      ['beta', 0, 0],
    ]);
    expect(items.every((c) => c.accountName === `Inventory ${tag}` && c.cloud === 'aws')).toBe(true);
    expect(JSON.stringify(items)).not.toContain('xxxxxxxx');
  });

  it('filters by text (case-insensitive, wildcards taken literally), location, labels and cloud', async () => {
    expect((await list(`q=${tag}-alpha_`)).items.map((c) => c.id)).toEqual([ids.Alpha_1]);
    expect((await list(`q=${tag}-ALPHA`)).items).toHaveLength(2);
    expect((await list(`q=${tag}%25beta`)).items).toEqual([]);
    expect((await list(`q=${tag}&location=eu-west-1`)).items.map((c) => c.id)).toEqual([ids.beta]);
    expect((await list(`q=${tag}&label=team=shop&label=tier=db`)).items.map((c) => c.id)).toEqual([
      ids.alphax1,
    ]);
    expect((await list(`q=${tag}&cloud=gcp`)).items).toEqual([]);
    const all = await list(`q=${tag}&includeVanished=true`);
    expect(all.items.map((c) => c.id)).toContain(ids.gone);
  });

  it('pages with a cursor through every cluster once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`q=${tag}&includeVanished=true&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(Object.values(ids).sort());
  });

  it('answers a PATCH with the same summary', async () => {
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/clusters/${ids.Alpha_1}`,
      payload: { environment: 'staging' },
      ...operator,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: ids.Alpha_1, environment: 'staging', pools: 2, nodes: 5 });
  });
});
