import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

interface MigrationPlanView {
  id: string;
  namespaces: { source: string; target: string }[];
  objects: { kind: string; name: string }[];
  volumes: unknown[];
}

let s: CloudStack;
const ns = `shop-api-${Date.now().toString(36).slice(-4)}`;

beforeAll(async () => {
  s = await startCloudStack();
  await s.sync();
}, 90_000);
afterAll(async () => {
  await s?.close();
});

const request = async (target: 'shop-dev' | 'shop-prod', extra: object = {}) => ({
  sourceClusterId: await s.clusterId('gcp', 'shop-prod'),
  targetClusterId: await s.clusterId('aws', target),
  namespaces: ['shop'],
  namespaceMap: { shop: ns },
  copyVolumes: true,
  ...extra,
});

describe('POST /api/v1/migrations', () => {
  it('answers a dry run with the transformed objects and volumes, and starts nothing', async () => {
    const runsBefore = await s.h.db.run.count({ where: { kind: 'migrate' } });
    // copying volumes runs mover pods in the prod source: an operator's request
    const res = await s.api<MigrationPlanView>('operator', 'POST', '/api/v1/migrations', {
      ...(await request('shop-dev')),
      dryRun: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.namespaces).toEqual([expect.objectContaining({ source: 'shop', target: ns })]);
    expect(JSON.stringify(res.body.objects)).toContain('"kind":"Deployment"');
    expect(res.body.volumes.length).toBeGreaterThan(0);
    expect(await s.h.db.run.count({ where: { kind: 'migrate' } })).toBe(runsBefore);
  }, 60_000);

  it('refuses a volume copy slower than the floor, naming the field', async () => {
    const res = await s.api<{ code: string; errors: { path: string; message: string }[] }>(
      'operator',
      'POST',
      '/api/v1/migrations',
      { ...(await request('shop-dev', { bandwidthBytesPerSec: 1 })), dryRun: true },
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        path: 'body.bandwidthBytesPerSec',
        message: expect.stringMatching(/at least 65536/),
      }),
    ]);
  });

  it('refuses a developer a prod target, and Secrets, naming why', async () => {
    const prod = await s.api<{ code: string; detail: string }>('developer', 'POST', '/api/v1/migrations', {
      ...(await request('shop-prod')),
      dryRun: true,
    });
    expect(prod.status).toBe(403);
    expect(prod.body.code).toBe('policy_denied');
    const secrets = await s.api<{ code: string }>('developer', 'POST', '/api/v1/migrations', {
      ...(await request('shop-dev', { includeSecrets: true })),
      dryRun: false,
    });
    expect(secrets.status).toBe(403);
  }, 60_000);

  it('migrates the shop namespace (with its Secrets) from GKE prod into EKS dev as a run, then rolls it back', async () => {
    // the shop's workloads read their database password from a Secret: operators may copy Secrets
    const res = await s.api<RunView>('operator', 'POST', '/api/v1/migrations', {
      ...(await request('shop-dev', { includeSecrets: true, readyTimeoutSec: 60 })),
      dryRun: false,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.kind).toBe('migrate');
    const done = await s.waitRun(res.body.id, undefined, 120_000);
    expect(done.status, JSON.stringify(done.error ?? done.result)).toBe('succeeded');
    expect(done.steps?.map((st) => st.key)).toEqual(
      expect.arrayContaining(['policy-check', 'apply', 'verify']),
    );
    const rollback = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${done.id}/rollback`, {});
    expect(rollback.status).toBe(202);
    const rolled = await s.waitRun(rollback.body.id, undefined, 120_000);
    expect(rolled.status, JSON.stringify(rolled.error)).toBe('succeeded');
    expect((await s.run(done.id)).status).toBe('rolled_back');
  }, 300_000);
});
