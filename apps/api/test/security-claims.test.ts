import { createKubeClient } from '@dolly/kube';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

/**
 * Claims of docs/security.md that had code but no test that would fail if they regressed (issue 15):
 * adoption on Azure and GCP, kubeconfigs Dolly builds itself, owned-plan edits into prod, and the
 * audit line of a successful kubeconfig download.
 */

interface PlanView {
  id: string;
  targetEnvironment: string | null;
  document: { items: { target: { name: string } }[] };
}
interface Problem {
  code: string;
  detail: string;
  errors?: { path: string }[];
}
interface Kubeconfig {
  clusters: { cluster: { server: string } & Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
}

let s: CloudStack;
const tag = Date.now().toString(36).slice(-5);

beforeAll(async () => {
  s = await startCloudStack();
  await s.sync();
}, 90_000);
afterAll(async () => {
  await s?.close();
});

describe('adoption is not creation on Azure and GCP either', () => {
  it.each([
    ['azure', 'aws', 'shop-prod'],
    ['gcp', 'aws', 'shop-prod'],
  ] as const)(
    'records a re-applied plan into %s as adopting the cluster, and its rollback deletes nothing',
    async (cloud, sourceCloud, sourceName) => {
      const plan = await s.api<PlanView>('operator', 'POST', '/api/v1/plans', {
        source: { clusterIds: [await s.clusterId(sourceCloud, sourceName)] },
        target: { accountId: s.account(cloud).id, environment: 'dev', nameSuffix: `-ad${cloud[0]}${tag}` },
      });
      expect(plan.status, JSON.stringify(plan.body)).toBe(201);
      const name = plan.body.document.items[0]?.target.name ?? '';
      const apply = async () => {
        const res = await s.api<{ runs: RunView[] }>(
          'operator',
          'POST',
          `/api/v1/plans/${plan.body.id}/apply`,
          {},
        );
        expect(res.status, JSON.stringify(res.body)).toBe(202);
        const run = await s.waitRun(res.body.runs[0]?.id ?? '', undefined, 90_000);
        expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
        return { id: run.id, ledger: (run.resources ?? []) as { kind: string; origin?: string }[] };
      };
      const first = await apply();
      expect(first.ledger.some((r) => r.kind === 'cluster' && r.origin === 'created')).toBe(true);

      const adopted = await apply();
      expect(adopted.ledger.length).toBeGreaterThan(0);
      expect(
        adopted.ledger.every((r) => r.origin === 'adopted'),
        JSON.stringify(adopted.ledger),
      ).toBe(true);
      const row = await s.h.db.cluster.findFirstOrThrow({ where: { name, vanishedAt: null } });
      expect(row.createdByRunId).toBe(first.id);

      const rollback = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${adopted.id}/rollback`, {});
      expect(rollback.status, JSON.stringify(rollback.body)).toBe(202);
      const rolled = await s.waitRun(rollback.body.id, undefined, 90_000);
      expect(rolled.status, JSON.stringify(rolled.error)).toBe('succeeded');
      expect((await s.discover(cloud)).some((c) => c.spec.name === name)).toBe(true);
    },
    240_000,
  );
});

describe('EKS and GKE kubeconfigs are built by Dolly from server, CA and its own token', () => {
  it.each([
    ['aws', 'shop-dev'],
    ['gcp', 'shop-dev'],
  ] as const)(
    'hands out a %s kubeconfig whose user is a bearer token that the API server accepts',
    async (cloud, name) => {
      const id = await s.clusterId(cloud, name);
      const res = await s.api<{ kubeconfig: string }>('operator', 'GET', `/api/v1/clusters/${id}/kubeconfig`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const doc = parse(res.body.kubeconfig) as Kubeconfig;
      expect(doc.users).toHaveLength(1);
      const user = doc.users[0]?.user ?? {};
      expect(Object.keys(user)).toEqual(['token']);
      expect(typeof user.token === 'string' && user.token.length > 0).toBe(true);
      expect(res.body.kubeconfig).not.toMatch(/exec|auth-provider|insecure-skip-tls-verify/);

      const kube = createKubeClient(res.body.kubeconfig);
      try {
        const list = await kube.request<{ items: unknown[] }>('GET', '/api/v1/namespaces');
        expect(list.items.length).toBeGreaterThan(0);
      } finally {
        kube.close();
      }
      // the token is what opens the API server: another one does not
      const forged = { ...doc, users: [{ name: doc.users[0]?.name, user: { token: 'not-a-token' } }] };
      const other = createKubeClient(stringify(forged));
      try {
        await expect(other.request('GET', '/api/v1/namespaces')).rejects.toThrow();
      } finally {
        other.close();
      }
    },
    60_000,
  );
});

describe('plans are owned: a developer cannot edit their own plan into prod', () => {
  it('refuses the PUT, naming the field, and leaves the plan as it was', async () => {
    const created = await s.api<PlanView>('developer', 'POST', '/api/v1/plans', {
      source: { clusterIds: [await s.clusterId('gcp', 'shop-prod')] },
      target: { accountId: s.account('aws').id, environment: 'dev', nameSuffix: `-own${tag}` },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const res = await s.api<Problem>('developer', 'PUT', `/api/v1/plans/${created.body.id}`, {
      document: created.body.document,
      targetEnvironment: 'prod',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.code).toBe('policy_denied');
    expect(res.body.errors?.map((e) => e.path)).toContain('body.targetEnvironment');
    const stored = await s.h.db.plan.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(stored.targetEnvironment).toBe('dev');
  });
});

describe('kubeconfig downloads are audited', () => {
  it('records a successful download with the token that asked', async () => {
    const token = await s.api<{ id: string; token: string }>('operator', 'POST', '/api/v1/tokens', {
      name: `kubeconfig-${tag}`,
      role: 'operator',
      expiresInDays: 1,
    });
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    const id = await s.clusterId('aws', 'shop-dev');
    const since = new Date();
    const res = await s.h.app.inject({
      method: 'GET',
      url: `/api/v1/clusters/${id}/kubeconfig`,
      headers: { authorization: `Bearer ${token.body.token}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    // The audit line is written as the response goes out.
    await expect
      .poll(async () =>
        s.h.db.auditEntry.findFirst({
          where: { action: 'cluster.kubeconfig', targetId: id, createdAt: { gte: since } },
          select: { outcome: true, tokenId: true },
        }),
      )
      .toEqual({ outcome: 'success', tokenId: token.body.id });
  });
});
