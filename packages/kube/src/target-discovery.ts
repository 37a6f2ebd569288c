/**
 * What the target cluster has, read before anything is planned: served APIs, storage and ingress
 * classes, nodes with their labels and taints (grouped into pools), existing namespaces.
 */
import type { KubeClient, ResourceCatalog } from './client.ts';
import { CAPACITY_LABELS, POOL_LABELS } from './transform/cloud.ts';
import type { TargetFacts } from './transform/rule.ts';
import { asArray, asObject, asString, type CloudId, type KubeObject } from './types.ts';

export interface TargetDiscovery {
  facts: TargetFacts;
  catalog: ResourceCatalog;
  /** the cloud the nodes say they run on, when they say it */
  cloud: CloudId | undefined;
  serverVersion: string | undefined;
}

const DEFAULT_SC = 'storageclass.kubernetes.io/is-default-class';
const DEFAULT_IC = 'ingressclass.kubernetes.io/is-default-class';

/** A node's cloud from its providerID (aws:///, azure:///, gce://). */
export function cloudOfNode(node: KubeObject): CloudId | undefined {
  const id = asString(asObject(node.spec).providerID) ?? '';
  if (id.startsWith('aws://')) return 'aws';
  if (id.startsWith('azure://')) return 'azure';
  if (id.startsWith('gce://')) return 'gcp';
  return undefined;
}

function taintsOf(node: KubeObject) {
  return asArray(asObject(node.spec).taints)
    .map(asObject)
    .map((t) => ({
      key: asString(t.key) ?? '',
      ...(asString(t.value) !== undefined ? { value: asString(t.value) } : {}),
      effect: asString(t.effect) ?? '',
    }));
}

/** Pools from node labels: the first pool label of the node's cloud that is set. */
export function poolsOf(nodes: KubeObject[], cloud: CloudId | undefined): TargetFacts['pools'] {
  const pools = new Map<string, TargetFacts['pools'][number]>();
  for (const n of nodes) {
    const labels = n.metadata.labels ?? {};
    const clouds: CloudId[] = cloud ? [cloud] : ['aws', 'azure', 'gcp'];
    for (const c of clouds) {
      const key = POOL_LABELS[c].find((k) => labels[k]);
      if (!key) continue;
      const name = labels[key]!;
      const spot = CAPACITY_LABELS[c].some((l) => labels[l.key] === l.spot);
      if (!pools.has(name)) pools.set(name, { name, labelKey: key, spot, taints: taintsOf(n) });
      break;
    }
  }
  return [...pools.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function discoverTarget(client: KubeClient, signal?: AbortSignal): Promise<TargetDiscovery> {
  const catalog = await client.discover({ refresh: true, ...(signal ? { signal } : {}) });
  const list = async (group: string, kind: string) => {
    const r = catalog.preferred(group, kind);
    return r ? client.list(r, signal ? { signal } : {}) : [];
  };
  const [storage, ingress, nodes, namespaces, version] = await Promise.all([
    list('storage.k8s.io', 'StorageClass'),
    list('networking.k8s.io', 'IngressClass'),
    list('', 'Node'),
    list('', 'Namespace'),
    client
      .request<{ gitVersion?: string }>('GET', '/version', signal ? { signal } : {})
      .catch(() => undefined),
  ]);
  const cloud = nodes.map(cloudOfNode).find((c) => c !== undefined);
  return {
    catalog,
    cloud,
    serverVersion: version?.gitVersion,
    facts: {
      storageClasses: storage.map((s) => ({
        name: s.metadata.name ?? '',
        provisioner: asString(s.provisioner) ?? '',
        isDefault: s.metadata.annotations?.[DEFAULT_SC] === 'true',
      })),
      ingressClasses: ingress.map((i) => ({
        name: i.metadata.name ?? '',
        controller: asString(asObject(i.spec).controller) ?? '',
        isDefault: i.metadata.annotations?.[DEFAULT_IC] === 'true',
      })),
      nodes: nodes.map((n) => ({
        name: n.metadata.name ?? '',
        labels: n.metadata.labels ?? {},
        taints: taintsOf(n),
      })),
      pools: poolsOf(nodes, cloud),
      namespaces: namespaces.map((n) => n.metadata.name ?? '').sort(),
    },
  };
}
