/**
 * Drift of a real clone: GKE prod cloned into the AWS sandbox through the API, then one of the
 * clone's node groups scaled through the EKS API itself (behind Dolly's back). The sync after it
 * checks every clone, finds the drift and tells the tenant's webhook once; a check on demand
 * shows the same finding and does not notify again.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCloudAccess, verifyWebhookSignature } from '@dolly/jobs';
import { createKubeClient } from '@dolly/kube';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaleEksNodegroup } from '../../../packages/providers/test/support/eks-scale.ts';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';
import { login } from './support/harness.ts';

interface Finding {
  path: string;
  expected: unknown;
  actual: unknown;
  severity: string;
}
interface WorkloadFinding {
  namespace: string;
  kind: string;
  name: string;
  path: string;
  expected: unknown;
  actual: unknown;
}
interface Report {
  workloads: {
    runId: string;
    namespaces: string[];
    findings: WorkloadFinding[];
    truncated: boolean;
    error: string | null;
  } | null;
  id: string;
  clusterId: string;
  sourceClusterId: string;
  drifted: boolean;
  fingerprint: string;
  basis: string;
  runId: string | null;
  findings: Finding[];
  requestedById: string | null;
}
interface History {
  source: { id: string; name: string } | null;
  latest: Report | null;
  items: Report[];
  nextCursor: string | null;
}

const PUBLIC_URL = 'https://dolly.example.test';
const suffix = `-${Date.now().toString(36).slice(-5)}`;
const received: { event: string; signature: string; raw: string }[] = [];
let receiver: Server;
let base: string;
let s: CloudStack;
let hookId = '';
let hookSecret = '';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        event: String(req.headers['x-dolly-event']),
        signature: String(req.headers['x-dolly-signature']),
        raw: Buffer.concat(chunks).toString('utf8'),
      });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  s = await startCloudStack({ overrides: { DOLLY_PUBLIC_URL: PUBLIC_URL, DOLLY_WEBHOOK_BACKOFF_MS: '100' } });
  await s.sync();
}, 90_000);

afterAll(async () => {
  if (hookId) await s?.api('owner', 'DELETE', `/api/v1/webhooks/${hookId}`);
  await s?.close();
  receiver?.close();
});

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const driftEvents = () => received.filter((r) => r.event === 'drift.detected');

describe('drift of a clone', () => {
  let cloneId = '';
  let sourceId = '';

  it('refuses a cluster Dolly did not clone, with the reason, and lets viewers read but not check', async () => {
    const prod = await s.clusterId('aws', 'shop-prod');
    const res = await s.api<{ code: string; detail: string; errors: { path: string }[] }>(
      'developer',
      'POST',
      `/api/v1/clusters/${prod}/drift`,
    );
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('conflict');
    expect(res.body.detail).toMatch(/shop-prod has no known source/);
    expect(res.body.errors.map((e) => e.path)).toEqual(['params.id']);

    const viewerCheck = await s.api('viewer', 'POST', `/api/v1/clusters/${prod}/drift`);
    expect(viewerCheck.status).toBe(403);
    const viewerRead = await s.api<History>('viewer', 'GET', `/api/v1/clusters/${prod}/drift`);
    expect(viewerRead.status).toBe(200);
    expect(viewerRead.body).toEqual({ source: null, latest: null, items: [], nextCursor: null });
  });

  it('records the lineage when a clone run creates the cluster, and a fresh clone has no drift', async () => {
    sourceId = await s.clusterId('gcp', 'shop-prod', 'dolly-demo-prod');
    const plan = await s.api<{ id: string }>('developer', 'POST', '/api/v1/plans', {
      source: { clusterIds: [sourceId] },
      target: { accountId: s.account('aws').id, environment: 'dev', nameSuffix: `-drift${suffix}` },
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const applied = await s.api<{ runs: RunView[] }>(
      'developer',
      'POST',
      `/api/v1/plans/${plan.body.id}/apply`,
      {},
    );
    expect(applied.status, JSON.stringify(applied.body)).toBe(202);
    const done = await s.waitRun(applied.body.runs[0]?.id ?? '');
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    cloneId = (done.result as { clusterId: string }).clusterId;
    const row = await s.h.db.cluster.findUniqueOrThrow({ where: { id: cloneId } });
    expect(row.clonedFromId).toBe(sourceId);

    const hook = await s.api<{ id: string; secret: string }>('owner', 'POST', '/api/v1/webhooks', {
      url: `${base}/drift`,
      format: 'json',
      events: ['drift.detected'],
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    hookId = hook.body.id;
    hookSecret = hook.body.secret;

    const check = await s.api<Report>('developer', 'POST', `/api/v1/clusters/${cloneId}/drift`);
    expect(check.status, JSON.stringify(check.body)).toBe(201);
    expect(check.body).toMatchObject({
      clusterId: cloneId,
      sourceClusterId: sourceId,
      basis: 'plan',
      runId: done.id,
    });
    expect(check.body.findings, JSON.stringify(check.body.findings)).toEqual([]);
    expect(check.body.drifted).toBe(false);
  }, 120_000);

  it('finds a node group scaled through the EKS API after the next sync, and notifies once', async () => {
    const clone = await s.h.db.cluster.findUniqueOrThrow({
      where: { id: cloneId },
      include: { nodePools: true },
    });
    const pool = [...clone.nodePools].sort((a, b) => a.name.localeCompare(b.name))[0];
    if (!pool) throw new Error('the clone has no pools');
    const spec = pool.spec as { nodeCount: number; autoscaling?: { minNodes: number; maxNodes: number } };
    const where = { region: clone.location, cluster: clone.name, nodegroup: pool.name };
    const awsAccount = s.sandbox.account('aws', clone.scope);
    let expected: Finding;
    if (spec.autoscaling) {
      const { minNodes, maxNodes } = spec.autoscaling;
      await scaleEksNodegroup(awsAccount, where, {
        minSize: minNodes,
        maxSize: maxNodes + 3,
        desiredSize: spec.nodeCount,
      });
      expected = {
        path: `nodePools[${pool.name}].autoscaling`,
        expected: { minNodes, maxNodes },
        actual: { minNodes, maxNodes: maxNodes + 3 },
        severity: 'warning',
      };
    } else {
      const n = spec.nodeCount + 2;
      await scaleEksNodegroup(awsAccount, where, { minSize: n, maxSize: n, desiredSize: n });
      expected = {
        path: `nodePools[${pool.name}].nodeCount`,
        expected: spec.nodeCount,
        actual: n,
        severity: 'info',
      };
    }

    // Dolly has not looked yet: the inventory still holds the clone as created.
    const stale = await s.api<Report>('developer', 'POST', `/api/v1/clusters/${cloneId}/drift`);
    expect(stale.body.drifted).toBe(false);

    const sync = await s.sync();
    expect((sync.result as { drift?: { detected: number } }).drift?.detected).toBeGreaterThanOrEqual(1);
    const history = await s.api<History>('viewer', 'GET', `/api/v1/clusters/${cloneId}/drift`);
    expect(history.status).toBe(200);
    expect(history.body.source).toMatchObject({ id: sourceId, name: 'shop-prod' });
    const scheduled = history.body.latest;
    expect(scheduled?.requestedById, 'the sync checked it, not a person').toBeNull();
    expect(scheduled?.findings).toEqual([expected]);

    const delivery = await waitFor('the drift.detected delivery', () => driftEvents()[0]);
    expect(verifyWebhookSignature(hookSecret, delivery.raw, delivery.signature)).toBe(true);
    const body = JSON.parse(delivery.raw);
    expect(body).toMatchObject({
      event: 'drift.detected',
      run: null,
      drift: {
        reportId: scheduled?.id,
        cluster: { id: cloneId, name: clone.name },
        source: { id: sourceId, name: 'shop-prod' },
        findings: 1,
        fingerprint: scheduled?.fingerprint,
        url: `${PUBLIC_URL}/clusters/${cloneId}?tab=drift`,
      },
    });

    // On demand: the same finding, the same fingerprint, no second notification.
    const again = await s.api<Report>('developer', 'POST', `/api/v1/clusters/${cloneId}/drift`);
    expect(again.status).toBe(201);
    expect(again.body.findings).toEqual([expected]);
    expect(again.body.fingerprint).toBe(scheduled?.fingerprint);
    await s.sync();
    await new Promise((r) => setTimeout(r, 1000));
    expect(driftEvents()).toHaveLength(1);

    const audit = await s.h.db.auditEntry.findMany({
      where: {
        tenantId: s.tenant.id,
        targetId: cloneId,
        action: { in: ['drift.detected', 'cluster.drift-check'] },
      },
    });
    expect(audit.filter((a) => a.action === 'drift.detected')).toHaveLength(1);
    expect(audit.filter((a) => a.action === 'cluster.drift-check').length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('compares the workloads of the last migration into the clone, and stores a scheduled check only when it changed', async () => {
    const ns = `shop-drift${suffix}`;
    const migration = await s.api<RunView>('operator', 'POST', '/api/v1/migrations', {
      sourceClusterId: sourceId,
      targetClusterId: cloneId,
      namespaces: ['shop'],
      namespaceMap: { shop: ns },
      includeSecrets: true,
      copyVolumes: false,
      readyTimeoutSec: 60,
      dryRun: false,
    });
    expect(migration.status, JSON.stringify(migration.body)).toBe(202);
    const migrated = await s.waitRun(migration.body.id, undefined, 120_000);
    expect(migrated.status, JSON.stringify(migrated.error ?? migrated.result)).toBe('succeeded');

    // Right after the migration the workloads match: the fingerprint is the infra findings' alone.
    const before = await s.api<History>('viewer', 'GET', `/api/v1/clusters/${cloneId}/drift`);
    const matching = await s.api<Report>('developer', 'POST', `/api/v1/clusters/${cloneId}/drift`);
    expect(matching.status, JSON.stringify(matching.body)).toBe(201);
    expect(matching.body.workloads).toEqual({
      runId: migrated.id,
      namespaces: [ns],
      findings: [],
      truncated: false,
      error: null,
    });
    expect(matching.body.fingerprint).toBe(before.body.latest?.fingerprint);

    // A sync that finds the same drift stores nothing new.
    const count = () => s.h.db.driftReport.count({ where: { clusterId: cloneId } });
    const stored = await count();
    await s.sync();
    expect(await count(), 'an unchanged scheduled check is not stored').toBe(stored);

    // Behind Dolly's back: the migrated frontend scaled in the clone itself.
    const clone = await s.h.db.cluster.findUniqueOrThrow({ where: { id: cloneId } });
    const kubeconfig = await createCloudAccess(s.h.db, s.h.vault)
      .provider(s.account('aws', clone.scope), clone.scope)
      .kubeconfig({ scope: clone.scope, location: clone.location, cluster: clone.name });
    const kube = createKubeClient(kubeconfig);
    try {
      await kube.mergePatch(
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'frontend' },
        { spec: { replicas: 7 } },
      );
    } finally {
      kube.close();
    }
    const notified = driftEvents().length;
    await s.sync();
    expect(await count(), 'a changed scheduled check is stored').toBe(stored + 1);
    const latest = (await s.api<History>('viewer', 'GET', `/api/v1/clusters/${cloneId}/drift`)).body.latest;
    expect(latest?.requestedById).toBeNull();
    expect(latest?.drifted).toBe(true);
    expect(latest?.workloads?.findings).toEqual([
      { namespace: ns, kind: 'Deployment', name: 'frontend', path: 'spec.replicas', expected: 2, actual: 7 },
    ]);
    expect(latest?.fingerprint).not.toBe(matching.body.fingerprint);

    // The change is new drift: one more delivery, which names its report.
    const delivery = await waitFor('the second drift.detected delivery', () => driftEvents()[notified]);
    const body = JSON.parse(delivery.raw);
    expect(body.drift).toMatchObject({ reportId: latest?.id, findings: (latest?.findings.length ?? 0) + 1 });
    const rows = await s.h.db.webhookDelivery.findMany({
      where: { webhookId: hookId, event: 'drift.detected' },
      orderBy: { createdAt: 'asc' },
    });
    expect(rows.map((r) => r.driftReportId)).toContain(latest?.id);
    expect(rows.every((r) => r.driftReportId !== null)).toBe(true);
    expect(body.id).toBe(rows.find((r) => r.driftReportId === latest?.id)?.id);
    const log = await s.api<{
      items: { id: string; driftReportId: string | null; driftClusterId: string | null }[];
    }>('owner', 'GET', `/api/v1/webhooks/${hookId}/deliveries`);
    expect(log.body.items[0]).toMatchObject({
      id: body.id,
      driftReportId: latest?.id,
      driftClusterId: cloneId,
    });

    // The inventory shows the clone as drifted.
    const list = await s.api<{ items: { id: string; drifted: boolean | null }[] }>(
      'viewer',
      'GET',
      `/api/v1/clusters?q=${encodeURIComponent(clone.name)}`,
    );
    expect(list.body.items.find((c) => c.id === cloneId)?.drifted).toBe(true);
    expect(list.body.items.find((c) => c.id === sourceId)?.drifted ?? null).toBeNull();
  }, 300_000);

  it('pages the history newest first and keeps other tenants out', async () => {
    const first = await s.api<History>('viewer', 'GET', `/api/v1/clusters/${cloneId}/drift?limit=2`);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0]?.id).toBe(first.body.latest?.id);
    expect(first.body.nextCursor).toBe(first.body.items[1]?.id);
    const next = await s.api<History>(
      'viewer',
      'GET',
      `/api/v1/clusters/${cloneId}/drift?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(next.body.items.length).toBeGreaterThan(0);
    expect(next.body.items.map((r) => r.id)).not.toContain(first.body.items[0]?.id);

    const other = await login(s.h.app, 'owner@other.dolly');
    for (const method of ['GET', 'POST'] as const) {
      const res = await s.h.app.inject({
        method,
        url: `/api/v1/clusters/${cloneId}/drift`,
        headers: { cookie: other.cookie, 'x-csrf-token': other.csrf },
      });
      expect(res.statusCode, `${method} from another tenant`).toBe(404);
    }
  });
});
