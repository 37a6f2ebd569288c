/**
 * Preflight: a clone into an account that lacks what EKS needs (no IAM roles configured) says so in
 * the plan, with the exact fix, and apply refuses until it is fixed, instead of failing half-way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, startCloudStack } from './support/cloud-stack.ts';

let s: CloudStack;
const suffix = `-pf${Date.now().toString(36).slice(-4)}`;

beforeAll(async () => {
  s = await startCloudStack();
  await s.sync();
}, 90_000);
afterAll(async () => {
  await s?.close();
});

interface PlanBody {
  id: string;
  document: {
    items: { target: { name: string } }[];
    preflight?: {
      account?: string;
      findings: {
        target: string;
        check: string;
        severity: string;
        message: string;
        fix: string;
        field?: string;
      }[];
      reason?: string;
    };
  };
}

describe('clone preflight', () => {
  it('lists what a fresh AWS account lacks, with the fix, and apply refuses until it is fixed', async () => {
    const aws = s.account('aws');
    const settings = aws.settings as Record<string, unknown>;
    const { clusterRoleArn, nodeRoleArn, ...bare } = settings;
    await s.h.db.cloudAccount.update({ where: { id: aws.id }, data: { settings: bare as object } });
    try {
      const plan = await s.api<PlanBody>('operator', 'POST', '/api/v1/plans', {
        source: { clusterIds: [await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod')] },
        target: { accountId: aws.id, environment: 'dev', nameSuffix: suffix },
      });
      expect(plan.status, JSON.stringify(plan.body)).toBe(201);
      const pf = plan.body.document.preflight;
      const target = plan.body.document.items[0]?.target.name;
      expect(pf?.reason).toBeUndefined();
      expect(pf?.findings.map((f) => f.check).sort()).toEqual(['aws.cluster-role', 'aws.node-role']);
      for (const f of pf?.findings ?? []) {
        expect(f).toMatchObject({ target, severity: 'blocker' });
        expect(f.fix).toMatch(/trusted by (eks|ec2)\.amazonaws\.com/);
      }
      expect(pf?.findings.find((f) => f.check === 'aws.cluster-role')?.field).toBe('settings.clusterRoleArn');

      const refused = await s.api<{ title: string; errors?: { path: string; message: string }[] }>(
        'operator',
        'POST',
        `/api/v1/plans/${plan.body.id}/apply`,
        {},
      );
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body.errors?.map((e) => e.path).sort()).toEqual([
        'settings.clusterRoleArn',
        'settings.nodeRoleArn',
      ]);
      expect(refused.body.errors?.[0]?.message).toContain('fix:');
      // nothing was started or created
      expect(await s.h.db.run.count({ where: { planId: plan.body.id } })).toBe(0);
      expect((await s.discover('aws')).some((c) => c.spec.name === target)).toBe(false);

      // the operator adds the roles: the same plan applies, checked again at apply time
      await s.h.db.cloudAccount.update({ where: { id: aws.id }, data: { settings: settings as object } });
      const applied = await s.api<{ runs: { id: string }[] }>(
        'operator',
        'POST',
        `/api/v1/plans/${plan.body.id}/apply`,
        {},
      );
      expect(applied.status, JSON.stringify(applied.body)).toBe(202);
      const done = await s.waitRun(applied.body.runs[0]?.id ?? '');
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    } finally {
      await s.h.db.cloudAccount.update({ where: { id: aws.id }, data: { settings: settings as object } });
    }
  }, 120_000);

  it('finds nothing missing in a complete account', async () => {
    const plan = await s.api<PlanBody>('operator', 'POST', '/api/v1/plans', {
      source: { clusterIds: [await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod')] },
      target: { accountId: s.account('aws').id, environment: 'dev', nameSuffix: `${suffix}b` },
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    expect(plan.body.document.preflight).toMatchObject({ findings: [] });
    expect(plan.body.document.preflight?.reason).toBeUndefined();
    // Azure and GCP accounts are checked too (resource provider, API, network), not skipped
    for (const cloud of ['azure', 'gcp'] as const) {
      const other = await s.api<PlanBody>('operator', 'POST', '/api/v1/plans', {
        source: { clusterIds: [await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod')] },
        target: { accountId: s.account(cloud).id, environment: 'dev', nameSuffix: `${suffix}${cloud[0]}` },
      });
      expect(other.status, JSON.stringify(other.body)).toBe(201);
      expect(other.body.document.preflight, cloud).toMatchObject({ findings: [] });
      expect(other.body.document.preflight?.reason, cloud).toBeUndefined();
    }
  }, 60_000);

  it('lists what a fresh GCP project lacks (API, network), and apply refuses until it is fixed', async () => {
    const dev = s.account('gcp', 'dolly-demo-dev');
    const info = s.sandbox.accounts.find((a) => a.cloud === 'gcp' && a.id === 'dolly-demo-dev');
    // the project as Google hands out a new one: Kubernetes Engine API off, no `default` network
    const fresh = await s.sandbox.admin('POST', '/_sandbox/accounts', {
      cloud: 'gcp',
      id: 'dolly-demo-dev',
      displayName: info?.displayName,
      fresh: true,
    });
    expect(fresh.status).toBe(200);
    const plan = await s.api<PlanBody>('operator', 'POST', '/api/v1/plans', {
      source: { clusterIds: [await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod')] },
      target: { accountId: dev.id, environment: 'dev', nameSuffix: `${suffix}f` },
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const pf = plan.body.document.preflight;
    expect(pf?.reason).toBeUndefined();
    expect(pf?.findings.map((f) => [f.check, f.severity])).toEqual([
      ['gcp.container-api', 'blocker'],
      ['gcp.network', 'blocker'],
    ]);
    expect(pf?.findings[0]?.fix).toBe(
      'gcloud services enable container.googleapis.com --project dolly-demo-dev',
    );
    expect(pf?.findings[1]?.fix).toContain('gcloud compute networks create default');
    const refused = await s.api<{ errors?: { path: string; message: string }[] }>(
      'operator',
      'POST',
      `/api/v1/plans/${plan.body.id}/apply`,
      {},
    );
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.errors?.map((e) => e.path)).toEqual(['document.items[0].target', 'settings.network']);
    expect(await s.h.db.run.count({ where: { planId: plan.body.id } })).toBe(0);
  }, 60_000);
});
