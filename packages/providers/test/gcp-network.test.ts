/**
 * settings.createMissingNetwork on a fresh GCP project (no `default` network): preflight says the
 * network will be created instead of blocking, apply makes it (custom mode, a /20 subnet in the
 * cluster's region) through compute v1, recorded in the ledger before the inserts, the cluster joins
 * it, and deleteNetwork refuses while the cluster uses it and deletes it once the cluster is gone.
 * The sandbox answers the network writes as Compute Engine does, refusals included.
 */
import type { ClusterSpec } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudError, type CloudResourceRef, createProvider, type ResourceOrigin } from '../src/index';
import {
  FAST,
  gcpAccessToken,
  gcpAccount,
  type SandboxAccountInfo,
  startTestSandbox,
  type TestSandbox,
} from './support/sandbox';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

/** A new project as GCP hands it out, with the Kubernetes Engine API enabled by the operator. */
async function freshProject(id: string): Promise<SandboxAccountInfo> {
  const r = await sb.admin('POST', '/_sandbox/accounts', { cloud: 'gcp', id, fresh: true });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  const a = r.json as SandboxAccountInfo;
  const on = await api(
    a,
    'POST',
    `${a.endpoints.serviceusage}/v1/projects/${a.id}/services/container.googleapis.com:enable`,
  );
  expect(on.status).toBe(200);
  return a;
}

type Json = Record<string, unknown>;

async function api(a: SandboxAccountInfo, method: string, url: string, body?: unknown) {
  const token = await gcpAccessToken(a);
  const r = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, json: (await r.json()) as Json };
}

/** compute v1 as gcloud calls it: the write, then operations.wait on the operation it returns. */
const compute = (a: SandboxAccountInfo, method: string, rest: string, body?: unknown) =>
  api(a, method, `${a.endpoints.compute}/compute/v1/projects/${a.id}/${rest}`, body);
async function computeDone(a: SandboxAccountInfo, method: string, rest: string, body?: unknown) {
  const r = await compute(a, method, rest, body);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  const region = typeof r.json.region === 'string' ? r.json.region.split('/').pop() : undefined;
  const w = await compute(
    a,
    'POST',
    `${region ? `regions/${region}` : 'global'}/operations/${String(r.json.name)}/wait`,
  );
  expect(w.json.status).toBe('DONE');
  return w.json;
}

const spec = (scope: string, name: string): ClusterSpec => ({
  cloud: 'gcp',
  scope,
  location: 'us-central1-a',
  name,
  kubernetesVersion: '1.34',
  labels: {},
  nodePools: [
    { name: 'general', machineType: 'e2-standard-2', nodeCount: 2, spot: false, labels: {}, taints: [] },
  ],
});

function ledger() {
  const rows: [CloudResourceRef, ResourceOrigin][] = [];
  return {
    rows,
    recordResource: async (r: CloudResourceRef, origin: ResourceOrigin = 'created') => {
      rows.push([r, origin]);
    },
  };
}

describe('GCP settings.createMissingNetwork', () => {
  it('creates the network and a subnet at apply, the cluster joins it, and deleteNetwork waits for the cluster', async () => {
    const a = await freshProject('dolly-fresh-net');
    const gcp = createProvider(gcpAccount(a, { createMissingNetwork: true }));
    const target = spec(a.id, 'net-shop');

    const found = await gcp.preflight?.(target, FAST);
    expect(found?.map((f) => [f.check, f.severity])).toEqual([['gcp.network', 'warning']]);
    expect(found?.[0]?.message).toContain('apply will create it');

    const l = ledger();
    await gcp.ensureControlPlane(target, { ...FAST, planId: 'plan-net', recordResource: l.recordResource });
    // recorded before the inserts, then the cluster
    expect(l.rows.map(([r, o]) => [r.kind, r.location, r.name ?? r.cluster, o])).toEqual([
      ['network', 'us-central1', 'default', 'created'],
      ['cluster', 'us-central1-a', 'net-shop', 'created'],
    ]);
    const net = await compute(a, 'GET', 'global/networks/default');
    expect(net.status).toBe(200);
    expect(net.json.autoCreateSubnetworks).toBe(false);
    expect(net.json.description).toContain('dolly-plan=plan-net');
    const sub = await compute(a, 'GET', 'regions/us-central1/subnetworks/default');
    expect(sub.status).toBe(200);
    expect(sub.json.ipCidrRange).toMatch(/\/20$/);
    expect(String(sub.json.network)).toMatch(/\/global\/networks\/default$/);

    const ready = await gcp.waitClusterReady(target, FAST);
    const raw = ready.raw as { network?: string; subnetwork?: string };
    expect([raw.network, raw.subnetwork]).toEqual(['default', 'default']);

    // another cluster of the same plan (a retry finds the same) uses what the plan made: adopted
    const second = spec(a.id, 'net-shop-2');
    const again = ledger();
    await gcp.ensureControlPlane(second, {
      ...FAST,
      planId: 'plan-net',
      recordResource: again.recordResource,
    });
    expect(again.rows.map(([r, o]) => [r.kind, o])).toEqual([
      ['network', 'adopted'],
      ['cluster', 'created'],
    ]);
    // another plan finds a network that is not its own: used as it is, never recorded
    const other = ledger();
    const third = spec(a.id, 'net-shop-3');
    await gcp.ensureControlPlane(third, {
      ...FAST,
      planId: 'plan-other',
      recordResource: other.recordResource,
    });
    expect(other.rows.map(([r]) => r.kind)).toEqual(['cluster']);
    const subs = await compute(a, 'GET', 'regions/us-central1/subnetworks');
    expect((subs.json.items as Json[]).map((x) => x.name)).toEqual(['default']);

    const ref = { scope: a.id, location: 'us-central1', name: 'default' };
    const refused = await gcp.deleteNetwork?.(ref, FAST);
    expect(refused?.deleted).toBe(false);
    if (refused?.deleted === false) {
      expect(refused.resources).toContain(`projects/${a.id}/regions/us-central1/subnetworks/default`);
      expect(refused.reason).toContain('left in place');
    }
    expect((await compute(a, 'GET', 'regions/us-central1/subnetworks/default')).status).toBe(200);
    expect((await compute(a, 'GET', 'global/networks/default')).status).toBe(200);

    for (const t of [target, second, third])
      await gcp.deleteCluster({ scope: a.id, location: t.location, cluster: t.name }, FAST);
    expect(await gcp.deleteNetwork?.(ref, FAST)).toEqual({ deleted: true });
    expect((await compute(a, 'GET', 'regions/us-central1/subnetworks/default')).status).toBe(404);
    expect((await compute(a, 'GET', 'global/networks/default')).status).toBe(404);
    // gone = done
    expect(await gcp.deleteNetwork?.(ref, FAST)).toEqual({ deleted: true });
  });

  it('without the setting nothing is created and the missing network stays a blocker', async () => {
    const a = await freshProject('dolly-fresh-net-off');
    const gcp = createProvider(gcpAccount(a));
    const target = spec(a.id, 'net-off');
    expect((await gcp.preflight?.(target, FAST))?.map((f) => [f.check, f.severity])).toEqual([
      ['gcp.network', 'blocker'],
    ]);
    const l = ledger();
    const e = await gcp
      .ensureControlPlane(target, { ...FAST, planId: 'plan-off', recordResource: l.recordResource })
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    expect(e).toBeInstanceOf(CloudError);
    expect((e as CloudError).message).toContain(`Project "${a.id}" has no network named "default".`);
    expect((await compute(a, 'GET', 'global/networks/default')).status).toBe(404);
    expect(l.rows.map(([r]) => r.kind)).not.toContain('network');
  });

  it('the sandbox refuses network writes as Compute Engine and GKE do', async () => {
    const a = await freshProject('dolly-fresh-net-rules');
    const gcp = createProvider(gcpAccount(a, { network: 'ops' }));
    await computeDone(a, 'POST', 'global/networks', { name: 'ops', autoCreateSubnetworks: false });
    const dup = await compute(a, 'POST', 'global/networks', { name: 'ops', autoCreateSubnetworks: false });
    expect([dup.status, (dup.json.error as { errors: Json[] }).errors[0]?.reason]).toEqual([
      409,
      'alreadyExists',
    ]);

    // a custom-mode network without a subnet in the cluster's region: GKE's own refusals
    const manual = await gcp
      .ensureControlPlane(spec(a.id, 'rules-a'), { ...FAST, planId: 'plan-rules' })
      .catch((x: unknown) => x as CloudError);
    expect((manual as CloudError).message).toContain(
      'Network "ops" uses manual subnet mode and requires specifying a subnetwork.',
    );

    await computeDone(a, 'POST', 'regions/us-central1/subnetworks', {
      name: 'ops-central',
      network: `projects/${a.id}/global/networks/ops`,
      ipCidrRange: '10.20.0.0/20',
    });
    // ranges of one network are disjoint across regions
    const overlap = await compute(a, 'POST', 'regions/europe-west1/subnetworks', {
      name: 'ops-west',
      network: `projects/${a.id}/global/networks/ops`,
      ipCidrRange: '10.20.8.0/24',
    });
    expect(overlap.status).toBe(400);
    expect((overlap.json.error as { errors: Json[] }).errors[0]?.reason).toBe('invalid');
    expect(String((overlap.json.error as Json).message)).toContain(
      "conflicts with existing subnetwork 'ops-central'",
    );

    // the network holds a subnet: compute accepts the delete and the operation fails
    const held = await computeDone(a, 'DELETE', 'global/networks/ops');
    expect((held.error as { errors: Json[] }).errors[0]?.code).toBe('RESOURCE_IN_USE_BY_ANOTHER_RESOURCE');
    expect((await compute(a, 'GET', 'global/networks/ops')).status).toBe(200);

    // GKE checks the subnetwork exists in the network; a subnet a cluster's nodes use is not deleted
    const token = await gcpAccessToken(a);
    const created = await fetch(
      `${a.endpoints.container}/v1/projects/${a.id}/locations/us-central1-a/clusters`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          cluster: {
            name: 'rules-c',
            network: 'ops',
            subnetwork: 'ops-missing',
            nodePools: [{ name: 'p', initialNodeCount: 1, config: { machineType: 'e2-standard-2' } }],
          },
        }),
      },
    );
    expect(created.status).toBe(400);
    expect(((await created.json()) as { error: Json }).error.message).toBe(
      `Subnetwork "projects/${a.id}/regions/us-central1/subnetworks/ops-missing" is not valid for Network "ops".`,
    );
    const ok = await fetch(`${a.endpoints.container}/v1/projects/${a.id}/locations/us-central1-a/clusters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        cluster: {
          name: 'rules-c',
          network: 'ops',
          subnetwork: 'ops-central',
          nodePools: [{ name: 'p', initialNodeCount: 1, config: { machineType: 'e2-standard-2' } }],
        },
      }),
    });
    expect(ok.status).toBe(200);
    const busy = await compute(a, 'DELETE', 'regions/us-central1/subnetworks/ops-central');
    expect(busy.status).toBe(400);
    expect((busy.json.error as { errors: Json[] }).errors[0]?.reason).toBe('resourceInUseByAnotherResource');
    expect(String((busy.json.error as Json).message)).toMatch(
      /is already being used by 'projects\/.+\/instances\/gke-rules-c-/,
    );
  });
});
