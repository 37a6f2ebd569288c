import type { ClusterSpec } from '@dolly/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudError, type CloudResourceRef, type CloudProvider, createProvider } from '../src/index';
import {
  awsAccount,
  DEMO,
  FAST,
  listNodesWithKubeconfig,
  startTestSandbox,
  type TestSandbox,
} from './support/sandbox';

let sb: TestSandbox;
let aws: CloudProvider;

beforeAll(async () => {
  sb = await startTestSandbox();
  aws = createProvider(awsAccount(sb.account('aws', DEMO.aws), { regions: ['us-east-1', 'us-west-2'] }));
});

afterAll(async () => {
  await sb?.close();
});

const target = (name: string, planId: string): ClusterSpec => ({
  cloud: 'aws',
  scope: DEMO.aws,
  location: 'us-east-1',
  name,
  kubernetesVersion: '1.34',
  labels: { env: 'staging', team: 'shop', 'dolly-plan': planId },
  environment: 'staging',
  endpoint: { public: true, private: false, authorizedCidrs: ['203.0.113.0/24'] },
  network: { plugin: 'vpc-cni', serviceCidr: '172.20.0.0/16' },
  nodePools: [
    {
      name: 'general',
      machineType: 'm6i.xlarge',
      nodeCount: 3,
      autoscaling: { minNodes: 2, maxNodes: 6 },
      spot: false,
      zones: ['us-east-1a', 'us-east-1b'],
      labels: { workload: 'general' },
      taints: [],
      diskSizeGb: 50,
      kubernetesVersion: '1.34',
      arch: 'x86_64',
      os: 'linux',
    },
    {
      name: 'batch',
      machineType: 'm6i.large',
      nodeCount: 2,
      spot: true,
      zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      labels: { workload: 'batch' },
      taints: [{ key: 'spot', value: 'true', effect: 'NoSchedule' }],
      diskSizeGb: 20,
      kubernetesVersion: '1.34',
      arch: 'x86_64',
      os: 'linux',
    },
  ],
});

/** Discovery lists pools by name. */
const byName = (spec: ClusterSpec): ClusterSpec => ({
  ...spec,
  nodePools: [...spec.nodePools].sort((a, b) => a.name.localeCompare(b.name)),
});

async function expectCloudError(p: Promise<unknown>): Promise<CloudError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CloudError);
    return e as CloudError;
  }
  throw new Error('expected a CloudError');
}

describe('AWS provider against the sandbox EKS', () => {
  it('tests the connection with good and bad credentials', async () => {
    const ok = await aws.testConnection();
    expect(ok).toMatchObject({ ok: true, scopes: [DEMO.aws], missing: [] });
    expect(ok.identity).toMatch(/^arn:aws:iam::111111111111:/);

    const bad = createProvider({
      ...awsAccount(sb.account('aws', DEMO.aws)),
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'nope' },
    });
    const res = await bad.testConnection();
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/^auth:/);
    expect(res.message).not.toContain('nope');

    const noSettings = createProvider({ ...awsAccount(sb.account('aws', DEMO.aws)), settings: {} });
    const partial = await noSettings.testConnection();
    expect(partial.ok).toBe(true);
    expect(partial.missing.join(' ')).toMatch(/settings\.clusterRoleArn.*settings\.nodeRoleArn/);
  });

  it('discovers the demo fleet into ClusterSpecs', async () => {
    const found = await aws.discover();
    const prod = found.find((c) => c.spec.name === 'shop-prod');
    const dev = found.find((c) => c.spec.name === 'shop-dev');
    expect(dev?.spec).toMatchObject({ location: 'us-west-2', kubernetesVersion: '1.35', environment: 'dev' });
    expect(prod?.status).toBe('ACTIVE');
    expect(prod?.spec).toMatchObject({
      cloud: 'aws',
      scope: DEMO.aws,
      location: 'us-east-1',
      kubernetesVersion: '1.34',
      labels: { env: 'prod', team: 'shop' },
      environment: 'prod',
      endpoint: { public: true, private: false, authorizedCidrs: ['0.0.0.0/0'] },
    });
    const pools = Object.fromEntries((prod?.spec.nodePools ?? []).map((p) => [p.name, p]));
    expect(pools.general).toMatchObject({
      machineType: 'm6i.xlarge',
      nodeCount: 3,
      autoscaling: { minNodes: 3, maxNodes: 6 },
      spot: false,
      labels: { workload: 'general' },
      taints: [],
      arch: 'x86_64',
    });
    expect(pools.general?.zones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(pools.gpu).toMatchObject({
      machineType: 'g5.xlarge',
      taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
    });
    expect(pools.spot).toMatchObject({
      spot: true,
      nodeCount: 2,
      taints: [{ key: 'spot', value: 'true', effect: 'NoSchedule' }],
    });
    // the default discovery (no regions configured) goes through EC2 DescribeRegions
    const all = await createProvider(awsAccount(sb.account('aws', DEMO.aws))).discover();
    expect(all.map((c) => `${c.spec.location}/${c.spec.name}`).sort()).toEqual([
      'us-east-1/shop-prod',
      'us-west-2/shop-dev',
    ]);
  });

  it('round-trips a spec: ensure steps, discover, the same spec', async () => {
    const planId = 'plan-rt1';
    const spec = target('rt-shop', planId);
    // the control-plane step ends when the control plane is up, not when it was asked for
    expect((await aws.ensureControlPlane(spec, { ...FAST, planId })).status).toBe('ACTIVE');
    for (const p of spec.nodePools) await aws.ensureNodePool(spec, p.name, { ...FAST, planId });
    const ready = await aws.waitClusterReady(spec, FAST);
    expect(ready.status).toBe('ACTIVE');
    expect(ready.spec).toEqual(byName(spec));
    const again = (await aws.discover({ regions: ['us-east-1'] })).find((c) => c.spec.name === 'rt-shop');
    expect(again?.spec).toEqual(byName(spec));
    await aws.deleteCluster({ scope: DEMO.aws, location: 'us-east-1', cluster: 'rt-shop' }, FAST);
  });

  it('creates every pool once when the steps run twice (retry mid-way), then deletes it all', async () => {
    const planId = 'plan-retry';
    const spec = target('retry-shop', planId);
    const recorded: CloudResourceRef[] = [];
    const ctx = { ...FAST, planId, recordResource: async (r: CloudResourceRef) => void recorded.push(r) };
    const first = await aws.ensureControlPlane(spec, ctx);
    expect(first.status).toBe('ACTIVE');
    await aws.ensureNodePool(spec, 'general', ctx);
    // the worker died here; the retried job runs every step again
    const second = await aws.ensureControlPlane(spec, ctx);
    expect(second.status).toBe('ACTIVE');
    await aws.ensureNodePool(spec, 'general', ctx);
    await aws.ensureNodePool(spec, 'batch', ctx);
    await aws.ensureNodePool(spec, 'batch', ctx);
    const state = (await sb.admin('GET', '/_sandbox/state')).json as {
      clouds: { aws: { clusters: { name: string; nodegroups: { name: string }[] }[] } };
    };
    const clusters = state.clouds.aws.clusters.filter((c) => c.name === 'retry-shop');
    expect(clusters).toHaveLength(1);
    expect(clusters[0]?.nodegroups.map((n) => n.name).sort()).toEqual(['batch', 'general']);
    expect(recorded.map((r) => `${r.kind}:${r.name ?? r.cluster}`)).toContain('nodePool:batch');
    expect(
      recorded.every((r) => r.cloud === 'aws' && r.scope === DEMO.aws && r.location === 'us-east-1'),
    ).toBe(true);

    // another plan, or nobody's plan, does not get to adopt it
    const other = await expectCloudError(aws.ensureControlPlane(spec, { ...FAST, planId: 'plan-other' }));
    expect(other.class).toBe('conflict');
    const demo = await expectCloudError(
      aws.ensureControlPlane(target('shop-prod', planId), { ...FAST, planId }),
    );
    expect(demo.class).toBe('conflict');

    // EKS needs the node groups gone first; deleteCluster does that, and is idempotent
    const ref = { scope: DEMO.aws, location: 'us-east-1', cluster: 'retry-shop' };
    await aws.deleteCluster(ref, FAST);
    await aws.deleteCluster(ref, FAST);
    await aws.deleteNodePool({ ...ref, name: 'general' }, FAST);
    const gone = (await aws.discover({ regions: ['us-east-1'] })).map((c) => c.spec.name);
    expect(gone).not.toContain('retry-shop');
  });

  it('classifies throttling, server errors and asynchronous failures', async () => {
    await sb.admin('POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'ListClusters',
      kind: 'throttle',
      count: 5,
      retryAfterSeconds: 0,
    });
    const throttled = await expectCloudError(aws.discover({ regions: ['us-east-1'] }));
    expect(throttled).toMatchObject({ class: 'throttled', cloud: 'aws', cloudCode: 'ThrottlingException' });
    expect(throttled.requestId).toBeTruthy();
    expect(throttled.retryAfterMs).toBe(0);
    await sb.admin('DELETE', '/_sandbox/faults');

    await sb.admin('POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'DescribeCluster',
      kind: 'server-error',
      count: 5,
    });
    const server = await expectCloudError(
      aws.kubeconfig({ scope: DEMO.aws, location: 'us-east-1', cluster: 'shop-prod' }),
    );
    expect(server).toMatchObject({
      class: 'transient',
      cloudCode: 'ServerException',
      operation: 'DescribeCluster',
    });
    await sb.admin('DELETE', '/_sandbox/faults');

    // a throttle the SDK retries through is invisible
    await sb.admin('POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'ListClusters',
      kind: 'throttle',
      count: 1,
      retryAfterSeconds: 0,
    });
    expect((await aws.discover({ regions: ['us-east-1'] })).length).toBeGreaterThan(0);

    const planId = 'plan-fail';
    const spec = {
      ...target('doomed-shop', planId),
      nodePools: [target('x', planId).nodePools[1] as ClusterSpec['nodePools'][number]],
    };
    await aws.ensureControlPlane(spec, { ...FAST, planId });
    await sb.admin('POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'CreateNodegroup',
      kind: 'async-failure',
      count: 1,
      message: 'no capacity',
    });
    const failed = await expectCloudError(aws.ensureNodePool(spec, 'batch', { ...FAST, planId }));
    expect(failed).toMatchObject({ class: 'transient', cloudCode: 'ProvisioningFailed' });
    expect(failed.message).toContain('no capacity');
    // the retry deletes the failed node group of its own plan and creates it again
    expect(await aws.ensureNodePool(spec, 'batch', { ...FAST, planId })).toEqual({ status: 'ACTIVE' });
    await aws.deleteCluster({ scope: DEMO.aws, location: 'us-east-1', cluster: 'doomed-shop' }, FAST);

    const rejected = await expectCloudError(
      aws.ensureControlPlane(
        { ...target('bad-version', planId), kubernetesVersion: '1.20' },
        { ...FAST, planId },
      ),
    );
    expect(rejected).toMatchObject({ class: 'rejected', cloudCode: 'InvalidParameterException' });
  });

  it('issues a kubeconfig with an EKS token the cluster accepts', async () => {
    const kc = await aws.kubeconfig({ scope: DEMO.aws, location: 'us-east-1', cluster: 'shop-prod' });
    const tokenOf = (doc: string): string => JSON.parse(doc).users[0].user.token;
    expect(tokenOf(kc)).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    // the kube hub is wired in this repo (apps/sandbox/src/kube); without it there is no API to call
    expect(sb.missing.filter((m) => m.includes('kube'))).toEqual([]);
    const nodes = await listNodesWithKubeconfig(kc);
    expect(nodes.status).toBe(200);
    expect(nodes.names.length).toBe(6);
    // a token for another cluster name does not open this one
    const other = await aws.kubeconfig({ scope: DEMO.aws, location: 'us-west-2', cluster: 'shop-dev' });
    const wrong = kc.replace(tokenOf(kc), tokenOf(other));
    expect((await listNodesWithKubeconfig(wrong)).status).toBe(401);
  });

  it('reads versions and instance types for the region catalog', async () => {
    const overlay = await aws.regionCatalog('us-east-1');
    const versions = overlay.clouds.aws?.kubernetesVersions?.['us-east-1'] ?? [];
    expect(versions.map((v) => v.minor)).toContain('1.34');
    expect(versions.filter((v) => v.default)).toHaveLength(1);
    const types = overlay.clouds.aws?.machineTypes?.['us-east-1'] ?? [];
    expect(types.find((t) => t.name === 'm6i.xlarge')).toMatchObject({ vcpus: 4, memoryGiB: 16 });
  });
});
