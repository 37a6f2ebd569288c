/** Small fixtures for the unit tests: contexts per cloud pair and readable objects. */
import { buildIndex, type TargetFacts, type TransformContext } from '../transform/rule.ts';
import type { CloudId, KubeObject } from '../types.ts';

export const CLOUDS: CloudId[] = ['aws', 'azure', 'gcp'];

/** The six ordered cross-cloud pairs. */
export const CROSS_PAIRS: [CloudId, CloudId][] = CLOUDS.flatMap((s) =>
  CLOUDS.filter((t) => t !== s).map((t) => [s, t] as [CloudId, CloudId]),
);

const POOL_KEY: Record<CloudId, string> = {
  aws: 'eks.amazonaws.com/nodegroup',
  azure: 'agentpool',
  gcp: 'cloud.google.com/gke-nodepool',
};
const ZONE: Record<CloudId, string> = { aws: 'us-west-2a', azure: '1', gcp: 'us-central1-a' };

/** A target with one pool `default` (two nodes) and the cloud's usual classes. */
export function targetFacts(cloud: CloudId, extra: Partial<TargetFacts> = {}): TargetFacts {
  const sc: Record<CloudId, string[]> = {
    aws: ['gp2', 'gp3'],
    azure: ['managed-csi', 'managed-csi-premium'],
    gcp: ['standard-rwo', 'premium-rwo'],
  };
  const ic: Record<CloudId, string> = { aws: 'alb', azure: 'webapprouting.kubernetes.azure.com', gcp: 'gce' };
  return {
    storageClasses: sc[cloud].map((name, i) => ({
      name,
      provisioner: `${cloud}.csi`,
      isDefault: i === (cloud === 'aws' ? 1 : 0),
    })),
    ingressClasses: [{ name: ic[cloud], controller: `${cloud}/ingress`, isDefault: true }],
    nodes: [0, 1].map((i) => ({
      name: `${cloud}-node-${i}`,
      labels: {
        [POOL_KEY[cloud]]: 'default',
        'topology.kubernetes.io/zone': ZONE[cloud],
        'kubernetes.io/hostname': `${cloud}-node-${i}`,
        'kubernetes.io/os': 'linux',
      },
      taints: [],
    })),
    pools: [{ name: 'default', labelKey: POOL_KEY[cloud], spot: false, taints: [] }],
    namespaces: ['default', 'kube-system'],
    ...extra,
  };
}

export function context(
  source: CloudId,
  target: CloudId,
  opts: {
    request?: Partial<TransformContext['request']>;
    objects?: KubeObject[];
    namespaceMap?: Record<string, string>;
    facts?: TargetFacts | null;
  } = {},
): TransformContext {
  const facts = opts.facts === null ? undefined : (opts.facts ?? targetFacts(target));
  return {
    migrationId: 'mig-1',
    source: { cloud: source, name: 'shop-prod', scope: 'src-scope', location: 'src-loc' },
    target: {
      cloud: target,
      name: 'shop-dev',
      scope: target === 'azure' ? 'sub-1/rg-dev' : 'dev-project',
      location: 'dst-loc',
    },
    namespaceMap: opts.namespaceMap ?? { shop: 'shop-dev' },
    request: { copyVolumes: false, ...opts.request },
    ...(facts ? { targetFacts: facts } : {}),
    index: buildIndex(opts.objects ?? []),
  };
}

export function obj(
  apiVersion: string,
  kind: string,
  name: string,
  rest: Record<string, unknown> = {},
  metadata: KubeObject['metadata'] = {},
): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: 'shop', ...metadata }, ...rest };
}

export function deployment(
  name: string,
  podSpec: Record<string, unknown>,
  metadata: KubeObject['metadata'] = {},
) {
  return obj(
    'apps/v1',
    'Deployment',
    name,
    {
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: podSpec },
      },
    },
    metadata,
  );
}

export const POOL_LABEL_OF = POOL_KEY;
