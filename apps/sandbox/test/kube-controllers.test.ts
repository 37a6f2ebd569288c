import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterInfo, type KubeHarness, k8s, pool, startKubeHarness } from './support/kube-harness.ts';

let h: KubeHarness;
let clock = Date.UTC(2026, 10, 21, 1, 30);
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

function clients(id: string) {
  const kc = h.kubeConfig(id);
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
  };
}

function deployment(
  name: string,
  spec: Partial<NonNullable<V1Deployment['spec']>['template']['spec']> = {},
  replicas = 2,
): V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
          ],
          ...spec,
        },
      },
    },
  };
}

function scheduledCondition(p: V1Pod) {
  return p.status?.conditions?.find((c) => c.type === 'PodScheduled');
}

beforeAll(async () => {
  h = await startKubeHarness(() => clock);
  h.hub.ensureCluster(
    'gke',
    clusterInfo('gcp', 'prod-eu', [
      pool('gcp', 'default-pool', {
        nodeCount: 3,
        zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'],
      }),
      pool('gcp', 'spot-pool', {
        nodeCount: 1,
        spot: true,
        labels: { 'cloud.google.com/gke-spot': 'true' },
        taints: [{ key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule' }],
      }),
    ]),
  );
  h.hub.ensureCluster(
    'eks',
    clusterInfo('aws', 'prod-us', [pool('aws', 'general', { nodeCount: 2, vcpus: 2, memoryGiB: 8 })]),
  );
  h.hub.ensureCluster(
    'aks',
    clusterInfo('azure', 'prod-we', [
      pool('azure', 'system', { nodeCount: 1 }),
      pool('azure', 'apps', { nodeCount: 2 }),
    ]),
  );
});

afterAll(async () => {
  await h?.close();
});

describe('nodes', () => {
  it('come from the node pools with cloud labels, taints, capacity and Ready', async () => {
    const { core } = clients('gke');
    const nodes = (await core.listNode()).items;
    expect(nodes).toHaveLength(4);
    const spot = nodes.find((n) => n.metadata?.labels?.['cloud.google.com/gke-nodepool'] === 'spot-pool');
    expect(spot?.spec?.taints).toEqual([
      { key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule' },
    ]);
    const n0 = nodes.find((n) => n.metadata?.labels?.['cloud.google.com/gke-nodepool'] === 'default-pool');
    expect(n0?.metadata?.labels).toMatchObject({
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'node.kubernetes.io/instance-type': 'e2-standard-2',
    });
    expect(n0?.status?.capacity).toMatchObject({ cpu: '2', memory: `${8 * 1024 * 1024}Ki` });
    expect(n0?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(nodes.map((n) => n.metadata?.labels?.['topology.kubernetes.io/zone'])).toEqual(
      expect.arrayContaining(['europe-west1-b', 'europe-west1-c', 'europe-west1-d']),
    );
    // pools change -> nodes follow
    h.hub.ensureCluster('eks', clusterInfo('aws', 'prod-us', [pool('aws', 'general', { nodeCount: 3 })]));
    expect((await clients('eks').core.listNode()).items).toHaveLength(3);
  });
});

describe('deployments and scheduling', () => {
  it('runs a deployment to Ready with ReplicaSet, pods and status', async () => {
    const { core, apps } = clients('gke');
    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('ok') });
    const d = await apps.readNamespacedDeployment({ name: 'ok', namespace: 'default' });
    expect(d.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
    });
    expect(d.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe(
      'NewReplicaSetAvailable',
    );
    const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=ok' })).items;
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.status?.phase).toBe('Running');
      expect(p.status?.containerStatuses?.[0]).toMatchObject({ ready: true, started: true });
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(p.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
      // never on the tainted spot node
      expect(p.spec?.nodeName).toContain('default-pool');
    }
  });

  it('keeps pods Pending while the nodeSelector matches nothing and recovers when it is fixed', async () => {
    const { core, apps } = clients('gke');
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment('lost', { nodeSelector: { 'eks.amazonaws.com/nodegroup': 'general' } }),
    });
    const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=lost' })).items;
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.status?.phase).toBe('Pending');
      const cond = scheduledCondition(p);
      expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable' });
      expect(cond?.message).toContain(
        "0/4 nodes are available: 1 node(s) had untolerated taint {cloud.google.com/gke-spot: true}, 3 node(s) didn't match Pod's node affinity/selector",
      );
    }
    let d = await apps.readNamespacedDeployment({ name: 'lost', namespace: 'default' });
    expect(d.status?.readyReplicas ?? 0).toBe(0);
    expect(d.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('False');
    await apps.patchNamespacedDeployment(
      {
        name: 'lost',
        namespace: 'default',
        body: {
          spec: {
            template: {
              spec: {
                nodeSelector: {
                  'eks.amazonaws.com/nodegroup': null,
                  'cloud.google.com/gke-nodepool': 'default-pool',
                },
              },
            },
          },
        },
      },
      merge,
    );
    d = await apps.readNamespacedDeployment({ name: 'lost', namespace: 'default' });
    expect(d.metadata?.generation).toBe(2);
    expect(d.status).toMatchObject({
      observedGeneration: 2,
      readyReplicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
      replicas: 2,
    });
    const after = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=lost' })).items;
    expect(after.every((p) => p.status?.phase === 'Running')).toBe(true);
    expect(after).toHaveLength(2);
  });

  it('honours tolerations, required node affinity and resource requests', async () => {
    const { core, apps } = clients('gke');
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment(
        'spotty',
        {
          tolerations: [
            { key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
          ],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: 'cloud.google.com/gke-spot', operator: 'In', values: ['true'] },
                    ],
                  },
                ],
              },
            },
          },
        },
        1,
      ),
    });
    const [spotPod] = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=spotty' }))
      .items;
    expect(spotPod?.spec?.nodeName).toContain('spot-pool');
    expect(spotPod?.status?.phase).toBe('Running');
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'huge' },
        spec: {
          containers: [{ name: 'c', image: 'x:1', resources: { requests: { cpu: '16', memory: '1Gi' } } }],
        },
      },
    });
    const huge = await core.readNamespacedPod({ name: 'huge', namespace: 'default' });
    expect(huge.status?.phase).toBe('Pending');
    expect(scheduledCondition(huge)?.message).toContain('3 Insufficient cpu');
  });

  it('reports missing config maps and service accounts like the kubelet and admission do', async () => {
    const { core, apps } = clients('gke');
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment(
        'needs-cm',
        { containers: [{ name: 'app', image: 'x:1', envFrom: [{ configMapRef: { name: 'missing' } }] }] },
        1,
      ),
    });
    const [p] = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=needs-cm' })).items;
    expect(p?.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CreateContainerConfigError');
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'missing' } } });
    const [p2] = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=needs-cm' }))
      .items;
    expect(p2?.status?.phase).toBe('Running');
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment('needs-sa', { serviceAccountName: 'ghost' }, 1),
    });
    const rs = (await apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=needs-sa' }))
      .items[0];
    expect(rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure')?.message).toContain(
      'serviceaccount "ghost" not found',
    );
  });
});

describe('storage', () => {
  it('leaves a PVC with an unknown StorageClass Pending and binds one with a cloud class', async () => {
    const { core } = clients('eks');
    await core.createNamespacedPersistentVolumeClaim({
      namespace: 'default',
      body: {
        metadata: { name: 'wrong-class' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'standard-rwo',
          resources: { requests: { storage: '5Gi' } },
        },
      },
    });
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'uses-wrong' },
        spec: {
          containers: [{ name: 'c', image: 'x:1' }],
          volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'wrong-class' } }],
        },
      },
    });
    const pvc = await core.readNamespacedPersistentVolumeClaim({ name: 'wrong-class', namespace: 'default' });
    expect(pvc.status?.phase).toBe('Pending');
    const pod = await core.readNamespacedPod({ name: 'uses-wrong', namespace: 'default' });
    expect(pod.status?.phase).toBe('Pending');
    expect(scheduledCondition(pod)?.message).toContain('pod has unbound immediate PersistentVolumeClaims');
    const ev = await core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=wrong-class,reason=ProvisioningFailed',
    });
    expect(ev.items[0]?.message).toBe('storageclass.storage.k8s.io "standard-rwo" not found');

    await core.createNamespacedPersistentVolumeClaim({
      namespace: 'default',
      body: {
        metadata: { name: 'good' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
      },
    });
    let good = await core.readNamespacedPersistentVolumeClaim({ name: 'good', namespace: 'default' });
    expect(good.spec?.storageClassName).toBe('gp3');
    expect(good.status?.phase).toBe('Pending'); // WaitForFirstConsumer
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'uses-good' },
        spec: {
          containers: [{ name: 'c', image: 'x:1' }],
          volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'good' } }],
        },
      },
    });
    good = await core.readNamespacedPersistentVolumeClaim({ name: 'good', namespace: 'default' });
    expect(good.status?.phase).toBe('Bound');
    const pv = await core.readPersistentVolume({ name: good.spec?.volumeName ?? '' });
    expect(pv.spec?.csi?.driver).toBe('ebs.csi.aws.com');
    expect(pv.spec?.claimRef?.name).toBe('good');
    expect((await core.readNamespacedPod({ name: 'uses-good', namespace: 'default' })).status?.phase).toBe(
      'Running',
    );
    // deleting the claim releases (reclaimPolicy Delete removes) the volume
    await core.deleteNamespacedPod({ name: 'uses-good', namespace: 'default' });
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'good', namespace: 'default' });
    const pvs = await core.listPersistentVolume();
    expect(pvs.items.find((x) => x.metadata?.name === pv.metadata?.name)).toBeUndefined();
  });

  it('runs a StatefulSet with claims from its templates', async () => {
    const { core, apps } = clients('aks');
    await apps.createNamespacedStatefulSet({
      namespace: 'default',
      body: {
        metadata: { name: 'pg' },
        spec: {
          replicas: 2,
          serviceName: 'pg',
          selector: { matchLabels: { app: 'pg' } },
          template: {
            metadata: { labels: { app: 'pg' } },
            spec: {
              containers: [
                { name: 'pg', image: 'postgres:16', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      },
    });
    const sts = await apps.readNamespacedStatefulSet({ name: 'pg', namespace: 'default' });
    expect(sts.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
      observedGeneration: 1,
    });
    const pvcs = (
      await core.listNamespacedPersistentVolumeClaim({ namespace: 'default', labelSelector: 'app=pg' })
    ).items;
    expect(pvcs.map((p) => [p.metadata?.name, p.status?.phase, p.spec?.storageClassName])).toEqual([
      ['data-pg-0', 'Bound', 'managed-csi'],
      ['data-pg-1', 'Bound', 'managed-csi'],
    ]);
    const pod = await core.readNamespacedPod({ name: 'pg-1', namespace: 'default' });
    expect(pod.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName).toBe(
      'data-pg-1',
    );
    await apps.patchNamespacedStatefulSet(
      { name: 'pg', namespace: 'default', body: { spec: { replicas: 1 } } },
      merge,
    );
    expect(
      (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=pg' })).items.map(
        (p) => p.metadata?.name,
      ),
    ).toEqual(['pg-0']);
    expect(
      (await core.listNamespacedPersistentVolumeClaim({ namespace: 'default', labelSelector: 'app=pg' }))
        .items,
    ).toHaveLength(2);
  });
});

describe('services', () => {
  it('gives LoadBalancer services a cloud address', async () => {
    const svc = (type: string, annotations?: Record<string, string>) => ({
      metadata: { name: 'lb', ...(annotations ? { annotations } : {}) },
      spec: { type, selector: { app: 'ok' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await clients('eks').core.createNamespacedService({ namespace: 'default', body: svc('LoadBalancer') });
    const aws = await clients('eks').core.readNamespacedService({ name: 'lb', namespace: 'default' });
    expect(aws.status?.loadBalancer?.ingress?.[0]?.hostname).toMatch(/\.elb\.amazonaws\.com$/);
    expect(aws.spec?.ports?.[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    expect(aws.spec?.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await clients('aks').core.createNamespacedService({
      namespace: 'default',
      body: svc('LoadBalancer', { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' }),
    });
    const az = await clients('aks').core.readNamespacedService({ name: 'lb', namespace: 'default' });
    expect(az.status?.loadBalancer?.ingress?.[0]?.ip).toMatch(/^10\.224\./);
    await clients('gke').core.createNamespacedService({ namespace: 'default', body: svc('LoadBalancer') });
    const gke = await clients('gke').core.readNamespacedService({ name: 'lb', namespace: 'default' });
    expect(gke.status?.loadBalancer?.ingress?.[0]?.ip).toMatch(/^34\./);
    const ep = await clients('gke').core.readNamespacedEndpoints({ name: 'lb', namespace: 'default' });
    expect(ep.subsets?.[0]?.addresses).toHaveLength(2);
  });
});

describe('jobs', () => {
  it('runs CronJobs on schedule and Jobs to completion; DaemonSets on every eligible node', async () => {
    const { batch, apps } = clients('gke');
    await batch.createNamespacedCronJob({
      namespace: 'default',
      body: {
        metadata: { name: 'nightly' },
        spec: {
          schedule: '0 2 * * *',
          jobTemplate: {
            spec: {
              template: {
                spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] },
              },
            },
          },
        },
      },
    });
    expect((await batch.listNamespacedJob({ namespace: 'default' })).items).toHaveLength(0);
    clock = Date.UTC(2026, 10, 21, 2, 0, 30);
    const jobs = (await batch.listNamespacedJob({ namespace: 'default' })).items;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.metadata?.ownerReferences?.[0]?.kind).toBe('CronJob');
    expect(jobs[0]?.status?.conditions?.find((c) => c.type === 'Complete')?.status).toBe('True');
    expect(jobs[0]?.status?.succeeded).toBe(1);
    const cj = await batch.readNamespacedCronJob({ name: 'nightly', namespace: 'default' });
    expect(cj.status?.lastScheduleTime?.toISOString()).toBe('2026-11-21T02:00:00.000Z');
    await apps.createNamespacedDaemonSet({
      namespace: 'default',
      body: {
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { containers: [{ name: 'a', image: 'agent:1' }] },
          },
        },
      },
    });
    const ds = await apps.readNamespacedDaemonSet({ name: 'agent', namespace: 'default' });
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 3, numberReady: 3, currentNumberScheduled: 3 });
  });
});

describe('demo workloads', () => {
  it.each(['gke', 'eks', 'aks'])('seeds a web shop that becomes Ready on %s', async (id) => {
    h.hub.seedDemoWorkloads(id);
    const { core, apps, batch } = clients(id);
    const deps = (await apps.listNamespacedDeployment({ namespace: 'shop' })).items;
    expect(deps.map((d) => d.metadata?.name).sort()).toEqual(['cart', 'catalog', 'frontend']);
    for (const d of deps) expect(d.status?.readyReplicas).toBe(d.spec?.replicas);
    const frontend = deps.find((d) => d.metadata?.name === 'frontend');
    expect(frontend?.spec?.template.spec?.containers[0]?.image).toContain('/frontend:1.4.2');
    const sts = await apps.readNamespacedStatefulSet({ name: 'db', namespace: 'shop' });
    expect(sts.status?.readyReplicas).toBe(1);
    const lb = await core.readNamespacedService({ name: 'frontend', namespace: 'shop' });
    expect(lb.spec?.type).toBe('LoadBalancer');
    expect(lb.status?.loadBalancer?.ingress).toHaveLength(1);
    const sas = (await core.listNamespacedServiceAccount({ namespace: 'shop' })).items;
    const ann = Object.keys(sas.find((s) => s.metadata?.name === 'frontend')?.metadata?.annotations ?? {});
    expect(ann[0]).toBe(
      id === 'eks'
        ? 'eks.amazonaws.com/role-arn'
        : id === 'aks'
          ? 'azure.workload.identity/client-id'
          : 'iam.gke.io/gcp-service-account',
    );
    expect((await batch.listNamespacedCronJob({ namespace: 'shop' })).items).toHaveLength(1);
    const ing = await clients(id)
      .kc.makeApiClient(k8s.NetworkingV1Api)
      .readNamespacedIngress({ name: 'shop', namespace: 'shop' });
    expect(ing.spec?.ingressClassName).toBe(
      id === 'eks' ? 'alb' : id === 'aks' ? 'webapprouting.kubernetes.azure.com' : 'gce',
    );
  });
});
