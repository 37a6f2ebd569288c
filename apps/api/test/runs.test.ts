import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

interface PlanView {
  id: string;
  requiresApproval: boolean;
  document: {
    items: {
      target: {
        name: string;
        cloud: string;
        location: string;
        labels: Record<string, string>;
        nodePools: { name: string }[];
      };
    }[];
  };
}

let s: CloudStack;
const suffix = `-${Date.now().toString(36).slice(-5)}`;

beforeAll(async () => {
  s = await startCloudStack();
}, 60_000);
afterAll(async () => {
  await s?.close();
});

async function plan(
  sourceCloud: 'aws' | 'azure' | 'gcp',
  targetCloud: 'aws' | 'azure' | 'gcp',
  opts: { nameSuffix: string; scope?: string; environment?: string; who?: 'developer' | 'operator' },
) {
  const res = await s.api<PlanView>(opts.who ?? 'developer', 'POST', '/api/v1/plans', {
    source: { clusterIds: [await s.clusterId(sourceCloud, 'shop-prod')] },
    target: {
      accountId: s.account(targetCloud, opts.scope).id,
      environment: opts.environment ?? 'dev',
      nameSuffix: opts.nameSuffix,
      ...(opts.scope ? { scope: opts.scope } : {}),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function apply(
  planId: string,
  who: 'developer' | 'operator' = 'developer',
  body: object = {},
  headers = {},
) {
  return s.api<{ runs: RunView[] }>(who, 'POST', `/api/v1/plans/${planId}/apply`, body, headers);
}

describe('inventory sync', () => {
  it('discovers the demo fleet of every account into the inventory, with raw documents and environments', async () => {
    const run = await s.sync();
    const result = run.result as { accounts: { ok: boolean; found: number }[]; clusters: number };
    expect(result.accounts.every((a) => a.ok)).toBe(true);
    expect(result.clusters).toBeGreaterThanOrEqual(6);
    const clusters = await s.h.db.cluster.findMany({
      where: { tenantId: s.tenant.id, vanishedAt: null },
      include: { nodePools: true },
    });
    for (const cloud of ['aws', 'azure', 'gcp'] as const) {
      const prod = clusters.find((c) => c.cloud === cloud && c.name === 'shop-prod');
      expect(prod, `${cloud} shop-prod`).toBeDefined();
      expect(prod?.environment).toBe('prod');
      expect(prod?.environmentSource).toBe('label');
      expect(prod?.raw).toBeTruthy();
      expect(prod?.nodePools.length).toBeGreaterThan(0);
    }
    // the second GCP project is an account of its own (its own service account)
    expect(
      clusters.some((c) => c.cloud === 'gcp' && c.scope === 'dolly-demo-dev' && c.name === 'shop-dev'),
    ).toBe(true);
  }, 60_000);

  it('marks a cluster the cloud no longer has as vanished, and answers with the same run for a repeated Idempotency-Key', async () => {
    const ghost = await s.h.db.cluster.create({
      data: {
        tenantId: s.tenant.id,
        accountId: s.account('aws').id,
        cloud: 'aws',
        scope: '111111111111',
        location: 'us-east-1',
        name: `ghost${suffix}`,
        kubernetesVersion: '1.31',
        spec: {},
      },
    });
    const key = { 'idempotency-key': `sync${suffix}` };
    const body = { accountIds: [s.account('aws').id] };
    const first = await s.api<RunView>('operator', 'POST', '/api/v1/inventory/sync', body, key);
    const again = await s.api<RunView>('operator', 'POST', '/api/v1/inventory/sync', body, key);
    expect(again.body.id).toBe(first.body.id);
    const done = await s.waitRun(first.body.id);
    expect(done.status).toBe('succeeded');
    const row = await s.h.db.cluster.findUniqueOrThrow({ where: { id: ghost.id } });
    expect(row.vanishedAt).not.toBeNull();
    // Azure clusters are scoped "<subscription>/<resource group>": they vanish too
    const azureGhost = await s.h.db.cluster.create({
      data: {
        tenantId: s.tenant.id,
        accountId: s.account('azure').id,
        cloud: 'azure',
        scope: '00000000-0000-4000-8000-000000000001/dolly-demo',
        location: 'westeurope',
        name: `ghost${suffix}`,
        kubernetesVersion: '1.31',
        spec: {},
      },
    });
    await s.sync();
    expect(
      (await s.h.db.cluster.findUniqueOrThrow({ where: { id: azureGhost.id } })).vanishedAt,
    ).not.toBeNull();
    expect(
      (
        await s.h.db.cluster.findFirstOrThrow({
          where: { cloud: 'azure', name: 'shop-prod', tenantId: s.tenant.id },
        })
      ).vanishedAt,
    ).toBeNull();
  }, 60_000);

  it('refuses developers (operators run the fleet)', async () => {
    const res = await s.api('developer', 'POST', '/api/v1/inventory/sync', {});
    expect(res.status).toBe(403);
  });
});

describe('clone runs', () => {
  it('clones GKE prod into the AWS account: every pool exists in the cloud, the inventory and the comparison', async () => {
    const p = await plan('gcp', 'aws', { nameSuffix: `-eks${suffix}` });
    const item = p.document.items[0];
    if (!item) throw new Error('plan has no item');
    const res = await apply(p.id);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const [queued] = res.body.runs;
    if (!queued) throw new Error('no run');
    expect(queued.status).toBe('queued');
    const done = await s.waitRun(queued.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.steps?.map((st) => st.key)).toEqual(
      expect.arrayContaining(['policy-check', 'validate', 'control-plane', 'wait-ready', 'read-back']),
    );
    for (const pool of item.target.nodePools)
      expect(done.steps?.find((st) => st.key === `node-pool:${pool.name}`)?.status).toBe('succeeded');

    const inCloud = (await s.discover('aws')).find((c) => c.spec.name === item.target.name);
    expect(inCloud?.spec.location).toBe(item.target.location);
    expect(inCloud?.spec.nodePools.map((np) => np.name).sort()).toEqual(
      item.target.nodePools.map((np) => np.name).sort(),
    );

    const result = done.result as { clusterId: string; comparison: { mismatches: number; rows: unknown[] } };
    expect(result.comparison.mismatches, JSON.stringify(result.comparison.rows)).toBe(0);
    const row = await s.h.db.cluster.findUniqueOrThrow({
      where: { id: result.clusterId },
      include: { nodePools: true },
    });
    expect(row).toMatchObject({
      cloud: 'aws',
      environment: 'dev',
      environmentSource: 'plan',
      createdByRunId: done.id,
    });
    expect(row.nodePools).toHaveLength(item.target.nodePools.length);
    // the copy of prod is labelled dev (a decision says so), so a later sync keeps it in dev
    expect(item.target.labels.env).toBe('dev');
    await s.sync();
    expect((await s.h.db.cluster.findUniqueOrThrow({ where: { id: result.clusterId } })).environment).toBe(
      'dev',
    );
    expect(done.resources?.map((r) => r.kind)).toEqual(expect.arrayContaining(['cluster', 'nodePool']));
  }, 90_000);

  it('clones AKS prod into a second GCP project of the GCP account', async () => {
    const p = await plan('azure', 'gcp', { nameSuffix: `-gke${suffix}`, scope: 'dolly-demo-dev' });
    const item = p.document.items[0];
    if (!item) throw new Error('plan has no item');
    const res = await apply(p.id);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const done = await s.waitRun(res.body.runs[0]?.id ?? '');
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const inCloud = (await s.discover('gcp', 'dolly-demo-dev')).find((c) => c.spec.name === item.target.name);
    expect(inCloud?.spec.nodePools.map((np) => np.name).sort()).toEqual(
      item.target.nodePools.map((np) => np.name).sort(),
    );
  }, 90_000);

  it('streams events over SSE in order, and a reconnect with Last-Event-ID misses nothing', async () => {
    const p = await plan('aws', 'azure', { nameSuffix: `-sse${suffix}` });
    const res = await apply(p.id);
    const runId = res.body.runs[0]?.id ?? '';
    const address = await s.h.app.listen({ port: 0, host: '127.0.0.1' });
    const cookie = (await import('./support/harness.ts')).login;
    const session = await cookie(s.h.app, 'viewer@demo.dolly');
    const read = async (lastEventId?: string, stopAfter?: number) => {
      const controller = new AbortController();
      const resp = await fetch(`${address}/api/v1/runs/${runId}/events`, {
        headers: {
          accept: 'text/event-stream',
          cookie: session.cookie,
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        signal: controller.signal,
      });
      expect(resp.headers.get('content-type')).toContain('text/event-stream');
      const ids: string[] = [];
      let ended = false;
      let buffer = '';
      const reader = resp.body?.getReader();
      const decoder = new TextDecoder();
      while (reader && !ended) {
        const chunk = await reader.read();
        if (chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true });
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const id = /^id: (\d+)$/m.exec(frame)?.[1];
          if (id) ids.push(id);
          if (/^event: end$/m.test(frame)) ended = true;
          cut = buffer.indexOf('\n\n');
        }
        if (stopAfter !== undefined && ids.length >= stopAfter) break;
      }
      controller.abort();
      return { ids, ended };
    };
    const first = await read(undefined, 3);
    expect(first.ids.length).toBeGreaterThanOrEqual(3);
    const rest = await read(first.ids.at(-1));
    expect(rest.ended).toBe(true);
    const all = [...first.ids, ...rest.ids].map(BigInt);
    for (let i = 1; i < all.length; i++) expect(all[i]).toBeGreaterThan(all[i - 1] as bigint);
    const page = await s.api<{ events: { id: string }[] }>(
      'viewer',
      'GET',
      `/api/v1/runs/${runId}/events?after=0`,
    );
    expect(all.map(String)).toEqual(page.body.events.map((e) => e.id));
    const done = await s.run(runId);
    expect(done.status).toBe('succeeded');
  }, 90_000);

  it('ends failed with the cloud message on an injected asynchronous failure; rollback leaves nothing behind', async () => {
    const p = await plan('gcp', 'aws', { nameSuffix: `-doom${suffix}` });
    const item = p.document.items[0];
    if (!item) throw new Error('plan has no item');
    await s.sandbox.admin('POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'CreateNodegroup',
      kind: 'async-failure',
      count: 1,
      message: 'InsufficientInstanceCapacity in the sandbox',
    });
    const res = await apply(p.id);
    const failed = await s.waitRun(res.body.runs[0]?.id ?? '');
    await s.sandbox.admin('DELETE', '/_sandbox/faults');
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toContain('InsufficientInstanceCapacity in the sandbox');
    expect(failed.errorClass).toMatch(/^cloud/);
    expect(failed.steps?.find((st) => st.status === 'failed')?.key).toMatch(/^node-pool:/);
    expect((await s.discover('aws')).some((c) => c.spec.name === item.target.name)).toBe(true);

    const rb = await s.api<RunView>('developer', 'POST', `/api/v1/runs/${failed.id}/rollback`, {});
    expect(rb.status, JSON.stringify(rb.body)).toBe(202);
    expect(rb.body.parentRunId).toBe(failed.id);
    const rolled = await s.waitRun(rb.body.id);
    expect(rolled.status, JSON.stringify(rolled.error)).toBe('succeeded');
    expect((await s.run(failed.id)).status).toBe('rolled_back');
    expect((await s.discover('aws')).some((c) => c.spec.name === item.target.name)).toBe(false);
    const ledger = await s.h.db.runResource.findMany({ where: { runId: failed.id } });
    expect(ledger.length).toBeGreaterThan(0);
    expect(ledger.every((r) => r.deletedAt !== null)).toBe(true);
    // a second rollback has nothing left to do but must not fail either
    const again = await s.api<RunView>('developer', 'POST', `/api/v1/runs/${failed.id}/rollback`, {});
    expect(again.status).toBe(409);
  }, 90_000);

  it('retries a failed clone from the failed step, reusing the finished ones', async () => {
    const p = await plan('gcp', 'aws', { nameSuffix: `-retry${suffix}` });
    await s.sandbox.admin('POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'CreateNodegroup',
      kind: 'async-failure',
      count: 1,
    });
    const failed = await s.waitRun((await apply(p.id)).body.runs[0]?.id ?? '');
    await s.sandbox.admin('DELETE', '/_sandbox/faults');
    expect(failed.status).toBe('failed');
    const retry = await s.api<RunView>('developer', 'POST', `/api/v1/runs/${failed.id}/retry`, {});
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    const done = await s.waitRun(retry.body.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    // the control plane was not created again: its step is the checkpoint of the first run
    expect(done.steps?.find((st) => st.key === 'control-plane')?.attempt).toBe(1);
    expect(done.steps?.find((st) => st.key === 'policy-check')?.status).toBe('succeeded');
    const names = (await s.discover('aws')).filter((c) => c.spec.name === p.document.items[0]?.target.name);
    expect(names).toHaveLength(1);
    // rolling back the retry deletes what both runs created
    const rb = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${done.id}/rollback`, {});
    expect((await s.waitRun(rb.body.id)).status).toBe('succeeded');
    expect((await s.discover('aws')).some((c) => c.spec.name === p.document.items[0]?.target.name)).toBe(
      false,
    );
  }, 120_000);

  it('cancels a running clone within seconds, then rolls it back', async () => {
    const p = await plan('gcp', 'aws', { nameSuffix: `-cxl${suffix}` });
    await s.sandbox.admin('POST', '/_sandbox/config', { speed: 5 });
    try {
      const runId = (await apply(p.id)).body.runs[0]?.id ?? '';
      await s.waitRun(
        runId,
        // in the middle of the longest cloud wait: the EKS control plane coming up
        (r) => r.steps?.some((st) => st.key === 'control-plane' && st.status === 'running') ?? false,
      );
      const asked = Date.now();
      const cancel = await s.api<RunView>('developer', 'POST', `/api/v1/runs/${runId}/cancel`, {
        reason: 'wrong target',
      });
      expect(cancel.status).toBe(202);
      expect(cancel.body.status).toBe('cancelling');
      const cancelled = await s.waitRun(runId, undefined, 10_000);
      expect(cancelled.status).toBe('cancelled');
      expect(Date.now() - asked).toBeLessThan(5_000);
      expect((await s.api('developer', 'POST', `/api/v1/runs/${runId}/cancel`, {})).status).toBe(409);
      await s.sandbox.admin('POST', '/_sandbox/config', { speed: 3000 });
      const rb = await s.api<RunView>('developer', 'POST', `/api/v1/runs/${runId}/rollback`, {});
      expect((await s.waitRun(rb.body.id)).status).toBe('succeeded');
      expect((await s.discover('aws')).some((c) => c.spec.name === p.document.items[0]?.target.name)).toBe(
        false,
      );
    } finally {
      await s.sandbox.admin('POST', '/_sandbox/config', { speed: 3000 });
    }
  }, 120_000);
});

describe('approval, confirmation and run lists', () => {
  it('holds a run a policy marks for approval until another operator approves it', async () => {
    const policy = await s.api<{ id: string }>('owner', 'POST', '/api/v1/policies', {
      name: `approve-prod-copies${suffix}`,
      effect: 'allow',
      roles: ['developer'],
      source: { env: ['prod'] },
      target: { env: ['staging'] },
      requireApproval: true,
      priority: 10,
    });
    expect(policy.status).toBe(201);
    try {
      const p = await plan('gcp', 'azure', { nameSuffix: `-apr${suffix}`, environment: 'staging' });
      expect(p.requiresApproval).toBe(true);
      const res = await apply(p.id);
      const pending = res.body.runs[0];
      expect(pending?.status).toBe('pending_approval');
      // nothing runs while it waits
      await new Promise((r) => setTimeout(r, 300));
      expect((await s.run(pending?.id ?? '')).status).toBe('pending_approval');
      expect((await s.api('developer', 'POST', `/api/v1/runs/${pending?.id}/approve`, {})).status).toBe(403);
      const approved = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${pending?.id}/approve`, {
        reason: 'ok',
      });
      expect(approved.status, JSON.stringify(approved.body)).toBe(202);
      const done = await s.waitRun(pending?.id ?? '');
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
      const audit = await s.h.db.auditEntry.findMany({
        where: { action: 'run.approve', targetId: pending?.id },
      });
      expect(audit.map((a) => a.outcome).sort()).toEqual(['denied', 'success']);
    } finally {
      await s.api('owner', 'DELETE', `/api/v1/policies/${policy.body.id}`);
    }
  }, 90_000);

  it('refuses a developer a prod target with the policy named, and asks an operator to type the name', async () => {
    const denied = await s.api<{ code: string; detail: string }>('developer', 'POST', '/api/v1/plans', {
      source: { clusterIds: [await s.clusterId('aws', 'shop-prod')] },
      target: { accountId: s.account('gcp').id, environment: 'prod', nameSuffix: `-x${suffix}` },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('policy_denied');
    expect(denied.body.detail).toContain('builtin:no-writes-into-prod-below-operator');
    const p = await plan('aws', 'gcp', { nameSuffix: `-prd${suffix}`, environment: 'prod', who: 'operator' });
    const unconfirmed = await apply(p.id, 'operator');
    expect(unconfirmed.status, JSON.stringify(unconfirmed.body)).toBe(422);
    expect((unconfirmed.body as unknown as { code: string }).code, JSON.stringify(unconfirmed.body)).toBe(
      'confirmation_required',
    );
    const confirmed = await apply(p.id, 'operator', { confirm: p.document.items[0]?.target.name });
    expect(confirmed.status).toBe(202);
    await s.api('operator', 'POST', `/api/v1/runs/${confirmed.body.runs[0]?.id}/cancel`, {});
    await s.waitRun(confirmed.body.runs[0]?.id ?? '');
  }, 60_000);

  it('lists runs newest first with filters and cursor paging, and reports clone durations per cloud', async () => {
    const page1 = await s.api<{ items: RunView[]; nextCursor: string | null }>(
      'viewer',
      'GET',
      '/api/v1/runs?kind=clone&limit=2',
    );
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items.every((r) => r.kind === 'clone')).toBe(true);
    const page2 = await s.api<{ items: RunView[] }>(
      'viewer',
      'GET',
      `/api/v1/runs?kind=clone&limit=2&cursor=${page1.body.nextCursor}`,
    );
    expect((page2.body.items[0]?.id ?? 'z') < (page1.body.items[1]?.id ?? '')).toBe(true);
    const failed = await s.api<{ items: RunView[] }>(
      'viewer',
      'GET',
      '/api/v1/runs?status=rolled_back,failed',
    );
    expect(failed.body.items.length).toBeGreaterThan(0);
    expect(failed.body.items.every((r) => ['rolled_back', 'failed'].includes(r.status))).toBe(true);
    expect((await s.api('viewer', 'GET', '/api/v1/runs?status=bogus')).status).toBe(400);
    const stats = await s.api<{ items: { cloud: string; operation: string; count: number }[] }>(
      'viewer',
      'GET',
      '/api/v1/runs/stats/durations',
    );
    expect(
      stats.body.items.some((i) => i.cloud === 'aws' && i.operation === 'control-plane' && i.count >= 1),
    ).toBe(true);
  });

  it('reports runs by kind and state in /metrics', async () => {
    const res = await s.h.app.inject('/metrics');
    expect(res.body).toMatch(/dolly_runs\{kind="clone",status="succeeded"\} [1-9]/);
    expect(res.body).toMatch(/dolly_runs\{kind="rollback",status="succeeded"\} [1-9]/);
  });

  it('hands operators a kubeconfig the cluster accepts, and refuses developers', async () => {
    const id = await s.clusterId('gcp', 'shop-prod');
    expect((await s.api('developer', 'GET', `/api/v1/clusters/${id}/kubeconfig`)).status).toBe(403);
    const res = await s.api<{ kubeconfig: string; expiresAt: string }>(
      'operator',
      'GET',
      `/api/v1/clusters/${id}/kubeconfig`,
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.kubeconfig)).toMatchObject({ apiVersion: 'v1', kind: 'Config' });
    expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const { listNodesWithKubeconfig } = await import('../../../packages/providers/test/support/sandbox.ts');
    const nodes = await listNodesWithKubeconfig(res.body.kubeconfig);
    expect(nodes.status).toBe(200);
    expect(nodes.names.length).toBeGreaterThan(0);
  });

  it('tests an account connection for admins', async () => {
    const res = await s.api<{ ok: boolean; scopes: string[] }>(
      'owner',
      'POST',
      `/api/v1/accounts/${s.account('gcp').id}/test`,
      {},
    );
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
  });
});
