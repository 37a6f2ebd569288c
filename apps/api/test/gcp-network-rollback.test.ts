/**
 * A clone into a fresh GCP project (no `default` network). With settings.createMissingNetwork the
 * plan's preflight says the network will be created instead of blocking, apply makes it with a
 * subnet in the cluster's region and records it in the ledger, and rollback deletes it after the
 * cluster, checked through compute v1. A network into which the operator put a subnet of their own
 * is kept, with a warning naming that subnet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gcpAccessToken, type SandboxAccountInfo } from '../../../packages/providers/test/support/sandbox.ts';
import { type CloudStack, type RunView, startCloudStack } from './support/cloud-stack.ts';

let s: CloudStack;
const tag = Date.now().toString(36).slice(-4);

beforeAll(async () => {
  s = await startCloudStack();
  await s.sync();
}, 90_000);
afterAll(async () => {
  await s?.close();
});

type Json = Record<string, unknown>;

/** compute v1 of the project, as gcloud calls it. */
async function compute(info: SandboxAccountInfo, method: string, rest: string, body?: unknown) {
  const token = await gcpAccessToken(info);
  const r = await fetch(`${info.endpoints.compute}/compute/v1/projects/${info.id}/${rest}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, json: (await r.json()) as Json };
}

/**
 * A new project as GCP hands it out (Kubernetes Engine API disabled, no networks), with the API
 * enabled as the operator would (`gcloud services enable`), added to Dolly with createMissingNetwork.
 */
async function freshProject(id: string) {
  const { info, account } = await s.freshAccount({
    cloud: 'gcp',
    id,
    name: `Fresh GCP ${id} (${tag})`,
    settings: { createMissingNetwork: true },
  });
  const token = await gcpAccessToken(info);
  const on = await fetch(
    `${info.endpoints.serviceusage}/v1/projects/${info.id}/services/container.googleapis.com:enable`,
    { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
  );
  expect(on.status).toBe(200);
  expect((await compute(info, 'GET', 'global/networks/default')).status).toBe(404);
  return { info, account };
}

interface PlanBody {
  id: string;
  document: {
    items: { target: { name: string; location: string } }[];
    preflight?: { findings: { check: string; severity: string; message: string }[]; reason?: string };
  };
}

/** Clones the GCP demo shop-dev (2 × e2-standard-2, us-central1-a: within a new project's quota). */
async function cloneInto(accountId: string, nameSuffix: string) {
  const plan = await s.api<PlanBody>('operator', 'POST', '/api/v1/plans', {
    source: { clusterIds: [await s.clusterId('gcp', 'shop-dev')] },
    target: { accountId, environment: 'dev', nameSuffix },
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  const pf = plan.body.document.preflight;
  expect(pf?.findings.map((f) => [f.check, f.severity])).toEqual([['gcp.network', 'warning']]);
  expect(pf?.findings[0]?.message).toContain('apply will create it');
  const applied = await s.api<{ runs: { id: string }[] }>(
    'operator',
    'POST',
    `/api/v1/plans/${plan.body.id}/apply`,
    {},
  );
  expect(applied.status, JSON.stringify(applied.body)).toBe(202);
  const done = await s.waitRun(applied.body.runs[0]?.id ?? '');
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  const target = plan.body.document.items[0]?.target;
  return { run: done, cluster: target?.name ?? '', location: target?.location ?? '' };
}

async function rollBack(runId: string): Promise<RunView> {
  const rb = await s.api<RunView>('operator', 'POST', `/api/v1/runs/${runId}/rollback`, {});
  expect(rb.status, JSON.stringify(rb.body)).toBe(202);
  const done = await s.waitRun(rb.body.id);
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  return done;
}

describe('VPC network of a clone into a fresh GCP project', () => {
  it('is created at apply with createMissingNetwork, recorded in the ledger, and deleted by rollback after the cluster', async () => {
    const { info, account } = await freshProject(`dolly-fresh-neta-${tag}`);
    const { run, cluster, location } = await cloneInto(account.id, `-neta${tag}`);
    const region = location.replace(/-[a-z]$/, '');

    const net = await compute(info, 'GET', 'global/networks/default');
    expect(net.status).toBe(200);
    expect(net.json.autoCreateSubnetworks).toBe(false);
    expect(net.json.subnetworks).toEqual([
      `https://www.googleapis.com/compute/v1/projects/${info.id}/regions/${region}/subnetworks/default`,
    ]);
    const ledger = await s.h.db.runResource.findMany({ where: { runId: run.id, kind: 'network' } });
    expect(ledger.map((r) => [r.origin, r.locator])).toEqual([
      [
        'created',
        { cloud: 'gcp', kind: 'network', scope: info.id, location: region, cluster, name: 'default' },
      ],
    ]);

    const rb = await rollBack(run.id);
    const keys = (rb.steps ?? []).map((st) => st.key);
    expect(keys.indexOf(`delete:network:${cluster}/default`), JSON.stringify(keys)).toBeGreaterThan(
      keys.indexOf(`delete:cluster:${cluster}`),
    );
    expect((await compute(info, 'GET', `regions/${region}/subnetworks/default`)).status).toBe(404);
    expect((await compute(info, 'GET', 'global/networks/default')).status).toBe(404);
    const after = await s.h.db.runResource.findMany({ where: { runId: run.id } });
    expect(after.filter((r) => r.kind !== 'nodePool' && r.deletedAt === null)).toEqual([]);
    const warned = await s.h.db.runEvent.findMany({ where: { runId: rb.id, level: 'warn' } });
    expect(warned.map((e) => e.message)).toEqual([]);
  }, 180_000);

  it('is left in place, with a warning naming it, when the operator put a subnet of their own in it', async () => {
    const { info, account } = await freshProject(`dolly-fresh-netb-${tag}`);
    const { run, cluster, location } = await cloneInto(account.id, `-netb${tag}`);
    const region = location.replace(/-[a-z]$/, '');
    const theirs = await compute(info, 'POST', 'regions/europe-west1/subnetworks', {
      name: 'ops-west',
      network: `projects/${info.id}/global/networks/default`,
      ipCidrRange: '10.200.0.0/20',
    });
    expect(theirs.status, JSON.stringify(theirs.json)).toBe(200);
    const wait = await compute(
      info,
      'POST',
      `regions/europe-west1/operations/${String(theirs.json.name)}/wait`,
    );
    expect(wait.json.status).toBe('DONE');

    const rb = await rollBack(run.id);
    const warned = await s.h.db.runEvent.findMany({ where: { runId: rb.id, level: 'warn' } });
    expect(warned.map((e) => e.stepKey)).toEqual([`delete:network:${cluster}/default`]);
    expect(warned[0]?.message).toContain(`projects/${info.id}/regions/europe-west1/subnetworks/ops-west`);
    expect(warned[0]?.message).toContain('left in place');
    // the network and the operator's subnet stay; the subnet Dolly made (nothing uses it now) is gone
    expect((await compute(info, 'GET', 'global/networks/default')).status).toBe(200);
    expect((await compute(info, 'GET', 'regions/europe-west1/subnetworks/ops-west')).status).toBe(200);
    expect((await compute(info, 'GET', `regions/${region}/subnetworks/default`)).status).toBe(404);
    // the ledger does not claim it deleted: the network is still there
    const row = await s.h.db.runResource.findFirst({ where: { runId: run.id, kind: 'network' } });
    expect(row?.deletedAt).toBeNull();
    // the cluster went first
    expect(
      (await s.h.db.runResource.findFirst({ where: { runId: run.id, kind: 'cluster' } }))?.deletedAt,
    ).not.toBeNull();
  }, 180_000);
});
