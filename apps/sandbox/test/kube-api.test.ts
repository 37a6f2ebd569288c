import type { KubernetesObject, V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterInfo, type KubeHarness, k8s, pool, startKubeHarness } from './support/kube-harness.ts';

let h: KubeHarness;
let core: InstanceType<typeof k8s.CoreV1Api>;
let apps: InstanceType<typeof k8s.AppsV1Api>;
let custom: InstanceType<typeof k8s.CustomObjectsApi>;
let ext: InstanceType<typeof k8s.ApiextensionsV1Api>;
let objects: InstanceType<typeof k8s.KubernetesObjectApi>;
let kc: InstanceType<typeof k8s.KubeConfig>;

const CID = 'api-test';

async function statusOf(p: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof k8s.ApiException) {
      const body =
        typeof e.body === 'string'
          ? (JSON.parse(e.body) as Record<string, unknown>)
          : (e.body as Record<string, unknown>);
      return { code: e.code, body };
    }
    throw e;
  }
  throw new Error('expected the call to fail');
}

const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);

function deployment(name: string, ns: string, replicas = 1): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      },
    },
  };
}

beforeAll(async () => {
  h = await startKubeHarness();
  h.hub.ensureCluster(CID, clusterInfo('aws', 'api', [pool('aws', 'general', { nodeCount: 2 })]));
  kc = h.kubeConfig(CID);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
  ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
});

afterAll(async () => {
  await h?.close();
});

describe('discovery', () => {
  it('serves /version, /api, /apis and resource lists', async () => {
    const v = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(v.major).toBe('1');
    expect(v.gitVersion).toMatch(/^v1\.31\.\d+-eks-/);
    const api = await kc.makeApiClient(k8s.CoreApi).getAPIVersions();
    expect(api.versions).toEqual(['v1']);
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    const names = groups.groups.map((g) => g.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'apps',
        'batch',
        'networking.k8s.io',
        'rbac.authorization.k8s.io',
        'storage.k8s.io',
        'apiextensions.k8s.io',
        'policy',
        'autoscaling',
        'scheduling.k8s.io',
      ]),
    );
    const coreRes = await core.getAPIResources();
    const pods = coreRes.resources.find((r) => r.name === 'pods');
    expect(pods).toMatchObject({ namespaced: true, kind: 'Pod', shortNames: ['po'] });
    expect(pods?.verbs).toEqual(
      expect.arrayContaining(['create', 'get', 'list', 'watch', 'patch', 'delete']),
    );
    expect(coreRes.resources.some((r) => r.name === 'pods/exec')).toBe(true);
    const appsRes = await apps.getAPIResources();
    expect(appsRes.resources.find((r) => r.name === 'deployments')).toMatchObject({
      kind: 'Deployment',
      shortNames: ['deploy'],
      categories: ['all'],
    });
    expect((await core.getAPIResources()).resources.find((r) => r.name === 'nodes')?.namespaced).toBe(false);
  });

  it('pre-installs the cloud storage classes with one default', async () => {
    const scs = await kc.makeApiClient(k8s.StorageV1Api).listStorageClass();
    const byName = Object.fromEntries(scs.items.map((s) => [s.metadata?.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['gp2', 'gp3']);
    expect(byName.gp3?.provisioner).toBe('ebs.csi.aws.com');
    expect(byName.gp3?.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class']).toBe('true');
  });
});

describe('CRUD on built-ins', () => {
  it('creates, reads, updates and deletes with metadata semantics', async () => {
    const cm = await core.createNamespacedConfigMap({
      namespace: 'team-a',
      body: { metadata: { name: 'settings', labels: { tier: 'web' } }, data: { a: '1' } },
    });
    expect(cm.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cm.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number(cm.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(cm.metadata?.managedFields?.[0]?.operation).toBe('Update');
    const got = await core.readNamespacedConfigMap({ name: 'settings', namespace: 'team-a' });
    expect(got.data).toEqual({ a: '1' });
    const updated = await core.replaceNamespacedConfigMap({
      name: 'settings',
      namespace: 'team-a',
      body: { ...got, data: { a: '2' } },
    });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(got.metadata?.resourceVersion));
    // stale resourceVersion -> 409 Conflict
    const stale = await statusOf(
      core.replaceNamespacedConfigMap({
        name: 'settings',
        namespace: 'team-a',
        body: { ...got, data: { a: '3' } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
    // already exists
    const dup = await statusOf(
      core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'settings' } } }),
    );
    expect(dup.body).toMatchObject({
      reason: 'AlreadyExists',
      code: 409,
      details: { name: 'settings', kind: 'configmaps' },
    });
    // not found
    const nf = await statusOf(core.readNamespacedConfigMap({ name: 'nope', namespace: 'team-a' }));
    expect(nf.body).toMatchObject({ reason: 'NotFound', code: 404, message: 'configmaps "nope" not found' });
    // namespace must exist
    const nons = await statusOf(
      core.createNamespacedConfigMap({ namespace: 'ghost', body: { metadata: { name: 'x' } } }),
    );
    expect(nons.body).toMatchObject({ reason: 'NotFound', message: 'namespaces "ghost" not found' });
    await core.deleteNamespacedConfigMap({ name: 'settings', namespace: 'team-a' });
    expect(
      (await statusOf(core.readNamespacedConfigMap({ name: 'settings', namespace: 'team-a' }))).code,
    ).toBe(404);
  });

  it('rejects invalid objects with 422 and causes, bad bodies with 400', async () => {
    const bad = await statusOf(
      apps.createNamespacedDeployment({
        namespace: 'team-a',
        body: {
          ...deployment('Bad_Name', 'team-a'),
          spec: {
            selector: { matchLabels: { app: 'x' } },
            template: { metadata: { labels: { app: 'y' } }, spec: { containers: [] } },
          },
        },
      }),
    );
    expect(bad.code).toBe(422);
    expect(bad.body.reason).toBe('Invalid');
    const fields = ((bad.body.details as { causes: { field: string }[] }).causes ?? []).map((c) => c.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'metadata.name',
        'spec.template.metadata.labels',
        'spec.template.spec.containers',
      ]),
    );
    const mismatch = await statusOf(
      core.createNamespacedConfigMap({
        namespace: 'team-a',
        body: { metadata: { name: 'x', namespace: 'default' } },
      }),
    );
    expect(mismatch).toMatchObject({ code: 400, body: { reason: 'BadRequest' } });
  });

  it('bumps generation on spec changes only and supports merge, strategic and JSON patches', async () => {
    const d = await apps.createNamespacedDeployment({
      namespace: 'team-a',
      body: deployment('patchme', 'team-a'),
    });
    expect(d.metadata?.generation).toBe(1);
    const labelled = await apps.patchNamespacedDeployment(
      { name: 'patchme', namespace: 'team-a', body: { metadata: { labels: { extra: 'yes' } } } },
      merge,
    );
    expect(labelled.metadata?.generation).toBe(1);
    expect(labelled.metadata?.labels).toEqual({ app: 'patchme', extra: 'yes' });
    const sm = await apps.patchNamespacedDeployment(
      {
        name: 'patchme',
        namespace: 'team-a',
        body: { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox:1.36' }] } } } },
      },
      strategic,
    );
    expect(sm.metadata?.generation).toBe(2);
    expect(sm.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['app', 'sidecar']);
    const jp = await apps.patchNamespacedDeployment(
      { name: 'patchme', namespace: 'team-a', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] },
      jsonPatch,
    );
    expect(jp.spec?.replicas).toBe(3);
    const mp = await apps.patchNamespacedDeployment(
      {
        name: 'patchme',
        namespace: 'team-a',
        body: { spec: { template: { spec: { containers: [{ name: 'only', image: 'x:1' }] } } } },
      },
      merge,
    );
    expect(mp.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['only']);
    const conflict = await statusOf(
      apps.patchNamespacedDeployment(
        {
          name: 'patchme',
          namespace: 'team-a',
          body: { metadata: { resourceVersion: '1' }, spec: { replicas: 1 } },
        },
        merge,
      ),
    );
    expect(conflict.code).toBe(409);
  });

  it('server-side applies through KubernetesObjectApi', async () => {
    const cm: V1ConfigMap & KubernetesObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied', namespace: 'team-a' },
      data: { k: 'v' },
    };
    const created = await objects.patch(
      cm,
      undefined,
      undefined,
      'dolly-test',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect((created as V1ConfigMap).data).toEqual({ k: 'v' });
    const again = await objects.patch(
      { ...cm, data: { k: 'v2', n: '1' } },
      undefined,
      undefined,
      'dolly-test',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect((again as V1ConfigMap).data).toEqual({ k: 'v2', n: '1' });
    expect(
      again.metadata?.managedFields?.some((m) => m.manager === 'dolly-test' && m.operation === 'Apply'),
    ).toBe(true);
    const read = await objects.read({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied', namespace: 'team-a' },
    });
    expect((read as V1ConfigMap).data?.n).toBe('1');
  });

  it('honours server-side dry run', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'team-a',
      body: { metadata: { name: 'dry' } },
      dryRun: 'All',
    });
    expect((await statusOf(core.readNamespacedConfigMap({ name: 'dry', namespace: 'team-a' }))).code).toBe(
      404,
    );
  });
});

describe('lists', () => {
  it('filters with label and field selectors and pages with limit/continue', async () => {
    for (let i = 0; i < 7; i++)
      await core.createNamespacedConfigMap({
        namespace: 'team-a',
        body: {
          metadata: {
            name: `item-${i}`,
            labels: {
              group: i % 2 ? 'odd' : 'even',
              idx: String(i),
              ...(i === 3 ? { special: 'true' } : {}),
            },
          },
        },
      });
    const lbl = async (labelSelector: string) =>
      (await core.listNamespacedConfigMap({ namespace: 'team-a', labelSelector })).items.map(
        (c) => c.metadata?.name,
      );
    expect(await lbl('group=odd')).toEqual(['item-1', 'item-3', 'item-5']);
    expect(await lbl('group==even,idx!=0')).toEqual(['item-2', 'item-4', 'item-6']);
    expect(await lbl('idx in (1,2)')).toEqual(['item-1', 'item-2']);
    expect(await lbl('idx notin (0,1,2,3,4,5),group')).toEqual(['item-6']);
    expect(await lbl('special')).toEqual(['item-3']);
    expect((await lbl('group,!special')).length).toBe(6);
    const byName = await core.listNamespacedConfigMap({
      namespace: 'team-a',
      fieldSelector: 'metadata.name=item-4',
    });
    expect(byName.items.map((c) => c.metadata?.name)).toEqual(['item-4']);
    const allNs = await core.listConfigMapForAllNamespaces({
      fieldSelector: 'metadata.namespace=team-a',
      labelSelector: 'group',
    });
    expect(allNs.items).toHaveLength(7);
    const badField = await statusOf(
      core.listNamespacedConfigMap({ namespace: 'team-a', fieldSelector: 'data.x=1' }),
    );
    expect(badField.code).toBe(400);
    // paging
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({
        namespace: 'team-a',
        labelSelector: 'group',
        limit: 3,
        ...(cont ? { _continue: cont } : {}),
      });
      seen.push(...page.items.map((c) => c.metadata?.name ?? ''));
      cont = page.metadata?._continue;
      if (cont) expect(page.metadata?.remainingItemCount).toBeGreaterThan(0);
      pages++;
    } while (cont);
    expect(pages).toBe(3);
    expect(seen).toEqual(['item-0', 'item-1', 'item-2', 'item-3', 'item-4', 'item-5', 'item-6']);
  });

  it('selects pods by status.phase and spec.nodeName', async () => {
    await core.createNamespacedPod({
      namespace: 'team-a',
      body: { metadata: { name: 'solo' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
    });
    const pod = await core.readNamespacedPod({ name: 'solo', namespace: 'team-a' });
    expect(pod.status?.phase).toBe('Running');
    const node = pod.spec?.nodeName ?? '';
    const running = await core.listPodForAllNamespaces({
      fieldSelector: `status.phase=Running,spec.nodeName=${node}`,
    });
    expect(running.items.map((p) => p.metadata?.name)).toContain('solo');
    const pending = await core.listNamespacedPod({
      namespace: 'team-a',
      fieldSelector: 'status.phase=Pending',
    });
    expect(pending.items).toHaveLength(0);
  });
});

describe('custom resources', () => {
  it('serves a CRD created at run time, in discovery and for CRUD', async () => {
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: 'backups.dolly.dev' },
        spec: {
          group: 'dolly.dev',
          scope: 'Namespaced',
          names: { plural: 'backups', singular: 'backup', kind: 'Backup', shortNames: ['bk'] },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
              subresources: { status: {} },
            },
          ],
        },
      },
    });
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.find((g) => g.name === 'dolly.dev')?.preferredVersion?.version).toBe('v1');
    const created = (await custom.createNamespacedCustomObject({
      group: 'dolly.dev',
      version: 'v1',
      namespace: 'team-a',
      plural: 'backups',
      body: {
        apiVersion: 'dolly.dev/v1',
        kind: 'Backup',
        metadata: { name: 'nightly', labels: { schedule: 'daily' } },
        spec: { target: 's3://bucket' },
      },
    })) as KubernetesObject & { spec: { target: string } };
    expect(created.metadata?.generation).toBe(1);
    const list = (await custom.listNamespacedCustomObject({
      group: 'dolly.dev',
      version: 'v1',
      namespace: 'team-a',
      plural: 'backups',
      labelSelector: 'schedule=daily',
    })) as { items: KubernetesObject[]; kind: string };
    expect(list.kind).toBe('BackupList');
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['nightly']);
    const patched = (await custom.patchNamespacedCustomObject(
      {
        group: 'dolly.dev',
        version: 'v1',
        namespace: 'team-a',
        plural: 'backups',
        name: 'nightly',
        body: { spec: { target: 's3://other' } },
      },
      merge,
    )) as KubernetesObject & { spec: { target: string } };
    expect(patched.spec.target).toBe('s3://other');
    expect(patched.metadata?.generation).toBe(2);
    const sm = await statusOf(
      custom.patchNamespacedCustomObject(
        {
          group: 'dolly.dev',
          version: 'v1',
          namespace: 'team-a',
          plural: 'backups',
          name: 'nightly',
          body: { spec: {} },
        },
        strategic,
      ),
    );
    expect(sm.code).toBe(415);
    const generic = await objects.list('dolly.dev/v1', 'Backup', 'team-a');
    expect(generic.items).toHaveLength(1);
    await ext.deleteCustomResourceDefinition({ name: 'backups.dolly.dev' });
    const gone = await statusOf(
      custom.listNamespacedCustomObject({
        group: 'dolly.dev',
        version: 'v1',
        namespace: 'team-a',
        plural: 'backups',
      }),
    );
    expect(gone.code).toBe(404);
  });
});

describe('deletion', () => {
  it('cascades through owner references and empties deleted namespaces', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await apps.createNamespacedDeployment({ namespace: 'doomed', body: deployment('web', 'doomed', 2) });
    expect((await apps.listNamespacedReplicaSet({ namespace: 'doomed' })).items).toHaveLength(1);
    expect((await core.listNamespacedPod({ namespace: 'doomed' })).items).toHaveLength(2);
    await apps.deleteNamespacedDeployment({ name: 'web', namespace: 'doomed' });
    expect((await apps.listNamespacedReplicaSet({ namespace: 'doomed' })).items).toHaveLength(0);
    expect((await core.listNamespacedPod({ namespace: 'doomed' })).items).toHaveLength(0);
    await apps.createNamespacedDeployment({ namespace: 'doomed', body: deployment('orphaner', 'doomed', 1) });
    await apps.deleteNamespacedDeployment({
      name: 'orphaner',
      namespace: 'doomed',
      propagationPolicy: 'Orphan',
    });
    const rs = await apps.listNamespacedReplicaSet({ namespace: 'doomed' });
    expect(rs.items).toHaveLength(1);
    expect(rs.items[0]?.metadata?.ownerReferences ?? []).toHaveLength(0);
    await core.createNamespacedSecret({
      namespace: 'doomed',
      body: { metadata: { name: 's' }, stringData: { k: 'v' } },
    });
    await core.deleteNamespace({ name: 'doomed' });
    expect((await statusOf(core.readNamespace({ name: 'doomed' }))).code).toBe(404);
    expect(
      (await core.listSecretForAllNamespaces({ fieldSelector: 'metadata.namespace=doomed' })).items,
    ).toHaveLength(0);
  });
});

describe('finalizers', () => {
  it('keep a deleted object until its finalizers are removed', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'team-a',
      body: { metadata: { name: 'held', finalizers: ['dolly.dev/cleanup'] } },
    });
    await core.deleteNamespacedConfigMap({ name: 'held', namespace: 'team-a' });
    const held = await core.readNamespacedConfigMap({ name: 'held', namespace: 'team-a' });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    await core.patchNamespacedConfigMap(
      { name: 'held', namespace: 'team-a', body: { metadata: { finalizers: null } } },
      merge,
    );
    expect((await statusOf(core.readNamespacedConfigMap({ name: 'held', namespace: 'team-a' }))).code).toBe(
      404,
    );
  });
});

describe('watch', () => {
  it('streams ADDED/MODIFIED/DELETED and resumes from a resourceVersion', async () => {
    await core.createNamespace({ body: { metadata: { name: 'watched' } } });
    const start = await core.listNamespacedConfigMap({ namespace: 'watched' });
    const events: { type: string; name: string; rv: string }[] = [];
    const watch = new k8s.Watch(kc);
    const ctl = await watch.watch(
      '/api/v1/namespaces/watched/configmaps',
      { resourceVersion: start.metadata?.resourceVersion, labelSelector: 'w=1' },
      (type, obj: KubernetesObject) =>
        events.push({ type, name: obj.metadata?.name ?? '', rv: obj.metadata?.resourceVersion ?? '' }),
      () => {},
    );
    await core.createNamespacedConfigMap({
      namespace: 'watched',
      body: { metadata: { name: 'one', labels: { w: '1' } } },
    });
    await core.createNamespacedConfigMap({
      namespace: 'watched',
      body: { metadata: { name: 'ignored', labels: { w: '2' } } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'one', namespace: 'watched', body: { data: { x: 'y' } } },
      merge,
    );
    await core.deleteNamespacedConfigMap({ name: 'one', namespace: 'watched' });
    for (let i = 0; i < 50 && events.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    ctl.abort();
    expect(events.map((e) => `${e.type}:${e.name}`)).toEqual(['ADDED:one', 'MODIFIED:one', 'DELETED:one']);
    const rvs = events.map((e) => Number(e.rv));
    expect(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!).toBe(true);
    // resume after the first event: only the later ones are replayed
    const replay: string[] = [];
    const ctl2 = await watch.watch(
      '/api/v1/namespaces/watched/configmaps',
      { resourceVersion: events[0]!.rv, labelSelector: 'w=1' },
      (type, obj: KubernetesObject) => replay.push(`${type}:${obj.metadata?.name}`),
      () => {},
    );
    for (let i = 0; i < 50 && replay.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    ctl2.abort();
    expect(replay).toEqual(['MODIFIED:one', 'DELETED:one']);
  });
});

describe('informers', () => {
  it('list-and-watch keeps a cache in sync', async () => {
    await core.createNamespace({ body: { metadata: { name: 'informed' } } });
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/informed/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'informed' }),
    );
    const added: string[] = [];
    informer.on('add', (o) => added.push(o.metadata?.name ?? ''));
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: 'late' } } });
    for (let i = 0; i < 50 && !added.includes('late'); i++) await new Promise((r) => setTimeout(r, 20));
    await informer.stop();
    expect(added).toEqual(expect.arrayContaining(['kube-root-ca.crt', 'late']));
    expect(informer.list().map((o) => o.metadata?.name)).toContain('late');
  });
});

describe('persistence', () => {
  it('snapshots and restores all objects', async () => {
    const snap = JSON.parse(JSON.stringify(h.hub.snapshot()));
    const before = await core.listNamespace();
    h.hub.reset();
    expect(h.hub.hasCluster(CID)).toBe(false);
    h.hub.restore(snap);
    const after = await core.listNamespace();
    expect(after.items.map((n) => n.metadata?.uid)).toEqual(before.items.map((n) => n.metadata?.uid));
    const view = h.hub.stateView() as { id: string; counts: Record<string, number> }[];
    expect(view[0]?.counts.Namespace).toBe(after.items.length);
  });
});
