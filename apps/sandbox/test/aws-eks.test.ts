import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAddonCommand,
  CreateClusterCommand,
  CreateNodegroupCommand,
  DeleteAddonCommand,
  DeleteClusterCommand,
  DeleteNodegroupCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  EKSClient,
  InvalidParameterException,
  InvalidRequestException,
  ListAddonsCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
  ListTagsForResourceCommand,
  ListUpdatesCommand,
  paginateListClusters,
  ResourceInUseException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupConfigCommand,
  waitUntilAddonActive,
  waitUntilClusterActive,
  waitUntilClusterDeleted,
  waitUntilNodegroupActive,
  waitUntilNodegroupDeleted,
} from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NullKubeHub } from '../src/null-hub.ts';
import type { RunningSandbox } from '../src/server.ts';
import { type AwsClientConfig, admin, awsConfig, startTestSandbox, tempDataDir, waitFor } from './helpers.ts';

// 14 min control plane / 3000 ≈ 280 ms; 3 min node group ≈ 60 ms
const SPEED = 3000;
const W = { minDelay: 0.02, maxDelay: 0.1, maxWaitTime: 30 } as const;
const ROLE = 'arn:aws:iam::111111111111:role/eks-cluster-role';
const NODE_ROLE = 'arn:aws:iam::111111111111:role/eks-node-role';

let sandbox: RunningSandbox;
let hub: NullKubeHub;
let cfg: AwsClientConfig;
let eks: EKSClient;
let subnets: string[];
const data = tempDataDir();

beforeAll(async () => {
  hub = new NullKubeHub('https://placeholder');
  sandbox = await startTestSandbox({ dataDir: data.dir, speed: SPEED, kubeHub: hub });
  cfg = await awsConfig(sandbox);
  eks = new EKSClient(cfg);
  const ec2 = new EC2Client(cfg);
  const out = await ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }),
  );
  subnets = (out.Subnets ?? []).map((s) => s.SubnetId as string);
  ec2.destroy();
});

afterAll(async () => {
  eks?.destroy();
  await sandbox?.stop();
  data.cleanup();
});

const createCluster = (
  name: string,
  extra: Partial<ConstructorParameters<typeof CreateClusterCommand>[0]> = {},
) =>
  eks.send(
    new CreateClusterCommand({
      name,
      roleArn: ROLE,
      resourcesVpcConfig: { subnetIds: subnets.slice(0, 3) },
      version: '1.34',
      ...extra,
    }),
  );

describe('EKS through @aws-sdk/client-eks', () => {
  it('lists clusters with paging (maxResults / nextToken)', async () => {
    const names = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];
    for (const n of names) await createCluster(n);
    const first = await eks.send(new ListClustersCommand({ maxResults: 2 }));
    expect(first.clusters).toHaveLength(2);
    expect(first.nextToken).toBeTruthy();
    const all: string[] = [];
    for await (const page of paginateListClusters({ client: eks, pageSize: 2 }, {})) {
      expect((page.clusters ?? []).length).toBeLessThanOrEqual(2);
      all.push(...(page.clusters ?? []));
    }
    expect(all.filter((n) => n.startsWith('page-')).sort()).toEqual(names);
    await expect(eks.send(new ListClustersCommand({ maxResults: 1000 }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(eks.send(new ListClustersCommand({ nextToken: 'garbage' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    // other regions are separate
    const west = new EKSClient({ ...cfg, region: 'us-west-2' });
    expect((await west.send(new ListClustersCommand({}))).clusters).toEqual([]);
    west.destroy();
    for (const n of names) await eks.send(new DeleteClusterCommand({ name: n }));
  });

  it('runs a full cluster + node group life cycle with EKS rules', async () => {
    const created = await createCluster('life', { tags: { env: 'test' } });
    expect(created.cluster?.status).toBe('CREATING');
    expect(created.cluster?.endpoint).toBeUndefined();
    expect(created.cluster?.createdAt).toBeInstanceOf(Date);

    // node groups only on ACTIVE clusters
    await expect(
      eks.send(
        new CreateNodegroupCommand({
          clusterName: 'life',
          nodegroupName: 'early',
          nodeRole: NODE_ROLE,
          subnets,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidRequestException);

    // duplicate name
    const dup = await createCluster('life').catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ResourceInUseException);
    expect((dup as ResourceInUseException).message).toContain('Cluster already exists with name: life');
    expect((dup as ResourceInUseException).$metadata.httpStatusCode).toBe(409);

    const waited = await waitUntilClusterActive({ client: eks, ...W }, { name: 'life' });
    expect(waited.state).toBe('SUCCESS');
    const active = (await eks.send(new DescribeClusterCommand({ name: 'life' }))).cluster;
    expect(active?.status).toBe('ACTIVE');
    expect(active?.endpoint).toBe(hub.serverUrl('aws-111111111111-us-east-1-life'));
    expect(Buffer.from(active?.certificateAuthority?.data ?? '', 'base64').toString()).toBe(
      sandbox.caCertPem,
    );
    expect(active?.tags).toEqual({ env: 'test' });
    expect(hub.hasCluster('aws-111111111111-us-east-1-life')).toBe(true);

    // validation against the catalog
    const badType = await eks
      .send(
        new CreateNodegroupCommand({
          clusterName: 'life',
          nodegroupName: 'bad',
          nodeRole: NODE_ROLE,
          subnets,
          instanceTypes: ['m9.mega'],
        }),
      )
      .catch((e: unknown) => e);
    expect(badType).toBeInstanceOf(InvalidParameterException);
    expect((badType as Error).message).toContain('m9.mega');
    await expect(
      eks.send(
        new CreateNodegroupCommand({
          clusterName: 'life',
          nodegroupName: 'bad',
          nodeRole: NODE_ROLE,
          subnets,
          scalingConfig: { minSize: 3, maxSize: 2, desiredSize: 2 },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      eks.send(
        new CreateNodegroupCommand({
          clusterName: 'life',
          nodegroupName: 'bad',
          nodeRole: NODE_ROLE,
          subnets,
          instanceTypes: ['m7g.large'],
          amiType: 'AL2023_x86_64_STANDARD',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);

    const ng = await eks.send(
      new CreateNodegroupCommand({
        clusterName: 'life',
        nodegroupName: 'workers',
        nodeRole: NODE_ROLE,
        subnets: subnets.slice(0, 2),
        instanceTypes: ['m6i.large'],
        capacityType: 'SPOT',
        scalingConfig: { minSize: 1, maxSize: 4, desiredSize: 2 },
        labels: { tier: 'web' },
        taints: [{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }],
      }),
    );
    expect(ng.nodegroup?.status).toBe('CREATING');
    expect(ng.nodegroup?.amiType).toBe('AL2023_x86_64_STANDARD');
    await expect(
      eks.send(
        new CreateNodegroupCommand({
          clusterName: 'life',
          nodegroupName: 'workers',
          nodeRole: NODE_ROLE,
          subnets,
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceInUseException);
    await waitUntilNodegroupActive({ client: eks, ...W }, { clusterName: 'life', nodegroupName: 'workers' });
    expect((await eks.send(new ListNodegroupsCommand({ clusterName: 'life' }))).nodegroups).toEqual([
      'workers',
    ]);

    // the kube hub got the nodes with EKS's labels and taints
    await waitFor(async () =>
      hub.clusters.get('aws-111111111111-us-east-1-life')?.nodePools.length ? true : undefined,
    );
    const pool = hub.clusters.get('aws-111111111111-us-east-1-life')?.nodePools[0];
    expect(pool?.nodeCount).toBe(2);
    expect(pool?.spot).toBe(true);
    expect(pool?.zones).toHaveLength(2);
    expect(pool?.labels).toMatchObject({
      'eks.amazonaws.com/nodegroup': 'workers',
      'eks.amazonaws.com/capacityType': 'SPOT',
      'node.kubernetes.io/instance-type': 'm6i.large',
      'topology.kubernetes.io/region': 'us-east-1',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/os': 'linux',
      tier: 'web',
    });
    expect(pool?.taints).toEqual([{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }]);

    // scaling through UpdateNodegroupConfig
    const upd = await eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: 'life',
        nodegroupName: 'workers',
        scalingConfig: { desiredSize: 3 },
      }),
    );
    expect(upd.update?.status).toBe('InProgress');
    expect(upd.update?.type).toBe('ConfigUpdate');
    await waitFor(async () => {
      const u = await eks.send(
        new DescribeUpdateCommand({ name: 'life', nodegroupName: 'workers', updateId: upd.update?.id }),
      );
      return u.update?.status === 'Successful' ? true : undefined;
    });
    const scaled = await eks.send(
      new DescribeNodegroupCommand({ clusterName: 'life', nodegroupName: 'workers' }),
    );
    expect(scaled.nodegroup?.scalingConfig).toEqual({ minSize: 1, maxSize: 4, desiredSize: 3 });
    await waitFor(async () =>
      hub.clusters.get('aws-111111111111-us-east-1-life')?.nodePools[0]?.nodeCount === 3 ? true : undefined,
    );

    // no cluster delete while node groups exist
    const inUse = await eks.send(new DeleteClusterCommand({ name: 'life' })).catch((e: unknown) => e);
    expect(inUse).toBeInstanceOf(ResourceInUseException);

    const del = await eks.send(new DeleteNodegroupCommand({ clusterName: 'life', nodegroupName: 'workers' }));
    expect(del.nodegroup?.status).toBe('DELETING');
    await waitUntilNodegroupDeleted({ client: eks, ...W }, { clusterName: 'life', nodegroupName: 'workers' });
    await expect(
      eks.send(new DescribeNodegroupCommand({ clusterName: 'life', nodegroupName: 'workers' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);

    const gone = await eks.send(new DeleteClusterCommand({ name: 'life' }));
    expect(gone.cluster?.status).toBe('DELETING');
    await waitUntilClusterDeleted({ client: eks, ...W }, { name: 'life' });
    const nf = await eks.send(new DescribeClusterCommand({ name: 'life' })).catch((e: unknown) => e);
    expect(nf).toBeInstanceOf(ResourceNotFoundException);
    expect((nf as Error).message).toBe('No cluster found for name: life.');
    await waitFor(async () => (hub.hasCluster('aws-111111111111-us-east-1-life') ? undefined : true));
  });

  it('validates cluster requests like EKS', async () => {
    await expect(createCluster('v', { version: '1.20' })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(createCluster('bad name!')).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      createCluster('v', { resourcesVpcConfig: { subnetIds: subnets.slice(0, 1) } }),
    ).rejects.toThrow(/at least two different AZs/);
    await expect(
      createCluster('v', { resourcesVpcConfig: { subnetIds: ['subnet-nope', 'subnet-nope2'] } }),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(createCluster('v', { roleArn: 'not-an-arn' })).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(eks.send(new DeleteClusterCommand({ name: 'never' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('honours clientRequestToken idempotency', async () => {
    const a = await createCluster('idem', { clientRequestToken: 'tok-1' });
    const b = await createCluster('idem', { clientRequestToken: 'tok-1' });
    expect(b.cluster?.arn).toBe(a.cluster?.arn);
    await expect(createCluster('idem', { clientRequestToken: 'tok-2' })).rejects.toBeInstanceOf(
      ResourceInUseException,
    );
    await eks.send(new DeleteClusterCommand({ name: 'idem' }));
  });

  it('recovers from injected throttling with the SDK own retry', async () => {
    const res = await admin(sandbox, 'POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'ListClusters',
      kind: 'throttle',
      count: 2,
      retryAfterSeconds: 0,
    });
    expect(res.status).toBe(201);
    const out = await eks.send(new ListClustersCommand({}));
    expect(out.$metadata.attempts).toBe(3);
    expect((await admin(sandbox, 'GET', '/_sandbox/faults')).json).toEqual([]);
  });

  it('gives up after the SDK retries on persistent server errors', async () => {
    await admin(sandbox, 'POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'DescribeClusterVersions',
      kind: 'server-error',
      count: 5,
    });
    const err = await eks.send(new DescribeClusterVersionsCommand({})).catch((e: unknown) => e);
    expect((err as { name: string }).name).toBe('ServerException');
    expect((err as { $metadata: { attempts: number } }).$metadata.attempts).toBe(3);
    await admin(sandbox, 'DELETE', '/_sandbox/faults');
  });

  it('lets the SDK time out and retry on an injected timeout', async () => {
    await admin(sandbox, 'POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'ListClusters',
      kind: 'timeout',
      count: 1,
      retryAfterSeconds: 2,
    });
    const impatient = new EKSClient({
      ...cfg,
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    });
    const out = await impatient.send(new ListClustersCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    impatient.destroy();
  });

  it('ends a create FAILED on an injected async failure', async () => {
    await admin(sandbox, 'POST', '/_sandbox/faults', {
      cloud: 'aws',
      operation: 'CreateCluster',
      kind: 'async-failure',
      message: 'boom',
    });
    await createCluster('doomed');
    const failed = await waitFor(async () => {
      const c = (await eks.send(new DescribeClusterCommand({ name: 'doomed' }))).cluster;
      return c?.status === 'FAILED' ? c : undefined;
    });
    expect(failed.health?.issues?.[0]?.message).toBe('boom');
    const w = await waitUntilClusterActive({ client: eks, ...W }, { name: 'doomed' }).catch(
      (e: unknown) => e,
    );
    expect(String(w)).toMatch(/FAILURE|FAILED/);
    await eks.send(new DeleteClusterCommand({ name: 'doomed' }));
  });

  it('updates the cluster version one minor at a time', async () => {
    await createCluster('upg', { version: '1.34' });
    await waitUntilClusterActive({ client: eks, ...W }, { name: 'upg' });
    await expect(
      eks.send(new UpdateClusterVersionCommand({ name: 'upg', version: '1.36' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const u = await eks.send(new UpdateClusterVersionCommand({ name: 'upg', version: '1.35' }));
    expect(u.update?.type).toBe('VersionUpdate');
    expect((await eks.send(new DescribeClusterCommand({ name: 'upg' }))).cluster?.status).toBe('UPDATING');
    await expect(
      eks.send(new UpdateClusterVersionCommand({ name: 'upg', version: '1.35' })),
    ).rejects.toBeInstanceOf(ResourceInUseException);
    await waitUntilClusterActive({ client: eks, ...W }, { name: 'upg' });
    const c = (await eks.send(new DescribeClusterCommand({ name: 'upg' }))).cluster;
    expect(c?.version).toBe('1.35');
    const ids = await eks.send(new ListUpdatesCommand({ name: 'upg' }));
    expect(ids.updateIds).toEqual([u.update?.id]);
    const d = await eks.send(new DescribeUpdateCommand({ name: 'upg', updateId: u.update?.id }));
    expect(d.update?.status).toBe('Successful');
  });

  it('manages add-ons and their versions', async () => {
    const versions = await eks.send(
      new DescribeAddonVersionsCommand({ kubernetesVersion: '1.35', addonName: 'coredns' }),
    );
    const coredns = versions.addons?.[0];
    expect(coredns?.addonName).toBe('coredns');
    expect(coredns?.addonVersions?.[0]?.compatibilities?.[0]?.clusterVersion).toBe('1.35');
    const all = await eks.send(new DescribeAddonVersionsCommand({ maxResults: 2 }));
    expect(all.addons).toHaveLength(2);
    expect(all.nextToken).toBeTruthy();

    const a = await eks.send(new CreateAddonCommand({ clusterName: 'upg', addonName: 'vpc-cni' }));
    expect(a.addon?.status).toBe('CREATING');
    await expect(
      eks.send(new CreateAddonCommand({ clusterName: 'upg', addonName: 'vpc-cni' })),
    ).rejects.toBeInstanceOf(ResourceInUseException);
    await expect(
      eks.send(new CreateAddonCommand({ clusterName: 'upg', addonName: 'nope' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await waitUntilAddonActive({ client: eks, ...W }, { clusterName: 'upg', addonName: 'vpc-cni' });
    expect((await eks.send(new ListAddonsCommand({ clusterName: 'upg' }))).addons).toEqual(['vpc-cni']);
    await eks.send(new DeleteAddonCommand({ clusterName: 'upg', addonName: 'vpc-cni' }));
    await waitFor(async () =>
      (await eks.send(new ListAddonsCommand({ clusterName: 'upg' }))).addons?.length ? undefined : true,
    );
  });

  it('tags resources by ARN', async () => {
    const arn = (await eks.send(new DescribeClusterCommand({ name: 'upg' }))).cluster?.arn;
    await eks.send(new TagResourceCommand({ resourceArn: arn, tags: { owner: 'dolly', env: 'test' } }));
    expect((await eks.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      owner: 'dolly',
      env: 'test',
    });
    await eks.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['env'] }));
    expect((await eks.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      owner: 'dolly',
    });
    await expect(
      eks.send(
        new ListTagsForResourceCommand({ resourceArn: 'arn:aws:eks:us-east-1:111111111111:cluster/none' }),
      ),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('rejects bad credentials and signatures like AWS', async () => {
    const stranger = new EKSClient({
      ...cfg,
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
    });
    await expect(stranger.send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
    const forger = new EKSClient({
      ...cfg,
      credentials: { ...cfg.credentials, secretAccessKey: 'wrong-secret' },
    });
    await expect(forger.send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    stranger.destroy();
    forger.destroy();
  });

  it('shows progress while an operation runs (SANDBOX_SPEED)', async () => {
    sandbox.setSpeed(1); // real time: 14 minutes
    await createCluster('slow');
    await new Promise((r) => setTimeout(r, 50));
    const view = sandbox.stateView() as {
      clouds: { aws: { clusters: { name: string; status: string; progress?: number }[] } };
    };
    const slow = view.clouds.aws.clusters.find((c) => c.name === 'slow');
    expect(slow?.status).toBe('CREATING');
    expect(slow?.progress).toBeGreaterThan(0);
    expect(slow?.progress).toBeLessThan(0.01);
    sandbox.setSpeed(SPEED);
  });
});
