/**
 * The account offers a Kubernetes minor the bundled snapshot does not know yet (a cloud released
 * it after the snapshot was taken). A plan made from the live lists asks for it; the worker must
 * judge the run by the same lists, not fail it at `validate` after the API accepted the plan.
 */
import { bundledCatalog, overlayCatalog } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, startCloudStack } from './support/cloud-stack.ts';

const REGION = 'us-east-1';
const known = bundledCatalog.kubernetesVersions('aws', REGION);
const newest = known[0]?.minor ?? '1.0';
const [major, minor] = newest.split('.').map(Number) as [number, number];
const released = `${major}.${minor + 1}`;

let s: CloudStack;

beforeAll(async () => {
  expect(known.map((v) => v.minor)).not.toContain(released);
  const catalog = overlayCatalog(bundledCatalog, {
    clouds: {
      aws: {
        kubernetesVersions: {
          [REGION]: [
            { cloud: 'aws', minor: released, versions: [released], default: false, support: 'standard' },
            ...known,
          ],
        },
      },
    },
  });
  s = await startCloudStack({ catalog });
  await s.sync();
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe('a clone into a version only the live lists know', () => {
  it('plans it from the live lists and the worker creates it', async () => {
    const plan = await s.api<{ id: string; document: { catalog?: { source: string } } }>(
      'operator',
      'POST',
      '/api/v1/plans',
      {
        source: { clusterIds: [await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod')] },
        target: {
          accountId: s.account('aws').id,
          location: REGION,
          environment: 'dev',
          kubernetesVersion: released,
          nameSuffix: `-live${Date.now() % 100000}`,
        },
      },
    );
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    expect(plan.body.document.catalog?.source).toBe('live');
    const applied = await s.api<{ runs: { id: string }[] }>(
      'operator',
      'POST',
      `/api/v1/plans/${plan.body.id}/apply`,
      {},
    );
    expect(applied.status, JSON.stringify(applied.body)).toBe(202);
    const done = await s.waitRun(applied.body.runs[0]?.id ?? '', undefined, 90_000);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    // what the cloud itself now runs, read through the SDK
    const created = (await s.discover('aws')).filter((c) => c.spec.kubernetesVersion === released);
    expect(created.map((c) => c.spec.location)).toEqual([REGION]);
  }, 150_000);
});
