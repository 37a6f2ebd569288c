/** The resource types the API serves: built-ins plus CRD-defined ones. */
import { asArray, asObject, asString, dig, type KubeObject } from './types.ts';

export interface ResourceDef {
  group: string;
  /** served versions; first one is the preferred/storage version */
  versions: string[];
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** subresources served (status, scale, exec, log, binding ...) */
  subresources: string[];
  /** spec-bearing kind: generation bumps on changes of everything but metadata/status */
  hasStatus: boolean;
  crd?: boolean;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function def(
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  opts: Partial<Pick<ResourceDef, 'shortNames' | 'categories' | 'verbs' | 'subresources' | 'hasStatus'>> = {},
): ResourceDef {
  return {
    group,
    versions: [version],
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    shortNames: opts.shortNames ?? [],
    categories: opts.categories ?? [],
    verbs: opts.verbs ?? ALL_VERBS,
    subresources: opts.subresources ?? [],
    hasStatus: opts.hasStatus ?? false,
  };
}

const ALL = ['all'];

export const BUILTIN_RESOURCES: ResourceDef[] = [
  def('', 'v1', 'namespaces', 'Namespace', false, {
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  def('', 'v1', 'pods', 'Pod', true, {
    shortNames: ['po'],
    categories: ALL,
    subresources: [
      'status',
      'exec',
      'log',
      'binding',
      'eviction',
      'attach',
      'portforward',
      'ephemeralcontainers',
    ],
    hasStatus: true,
  }),
  def('', 'v1', 'services', 'Service', true, {
    shortNames: ['svc'],
    categories: ALL,
    subresources: ['status', 'proxy'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  def('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'] }),
  def('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  def('', 'v1', 'secrets', 'Secret', true),
  def('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'], subresources: ['token'] }),
  def('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, {
    shortNames: ['pvc'],
    subresources: ['status'],
  }),
  def('', 'v1', 'persistentvolumes', 'PersistentVolume', false, {
    shortNames: ['pv'],
    subresources: ['status'],
  }),
  def('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ['status', 'proxy'] }),
  def('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  def('', 'v1', 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], subresources: ['status'] }),
  def('', 'v1', 'limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  def('', 'v1', 'replicationcontrollers', 'ReplicationController', true, {
    shortNames: ['rc'],
    categories: ALL,
    subresources: ['status', 'scale'],
    hasStatus: true,
  }),
  def('apps', 'v1', 'deployments', 'Deployment', true, {
    shortNames: ['deploy'],
    categories: ALL,
    subresources: ['status', 'scale'],
    hasStatus: true,
  }),
  def('apps', 'v1', 'replicasets', 'ReplicaSet', true, {
    shortNames: ['rs'],
    categories: ALL,
    subresources: ['status', 'scale'],
    hasStatus: true,
  }),
  def('apps', 'v1', 'statefulsets', 'StatefulSet', true, {
    shortNames: ['sts'],
    categories: ALL,
    subresources: ['status', 'scale'],
    hasStatus: true,
  }),
  def('apps', 'v1', 'daemonsets', 'DaemonSet', true, {
    shortNames: ['ds'],
    categories: ALL,
    subresources: ['status'],
    hasStatus: true,
  }),
  def('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  def('batch', 'v1', 'jobs', 'Job', true, { categories: ALL, subresources: ['status'], hasStatus: true }),
  def('batch', 'v1', 'cronjobs', 'CronJob', true, {
    shortNames: ['cj'],
    categories: ALL,
    subresources: ['status'],
    hasStatus: true,
  }),
  def('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, {
    shortNames: ['ing'],
    subresources: ['status'],
    hasStatus: true,
  }),
  def('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  def('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
  def('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  def('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  def('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  def('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  def('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    shortNames: ['hpa'],
    categories: ALL,
    subresources: ['status'],
    hasStatus: true,
  }),
  def('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, {
    shortNames: ['pdb'],
    subresources: ['status'],
    hasStatus: true,
  }),
  def('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, { shortNames: ['pc'] }),
  def('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  def('storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', false),
  def('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  def('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  def('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    shortNames: ['crd', 'crds'],
    subresources: ['status'],
  }),
];

BUILTIN_RESOURCES.find((r) => r.plural === 'endpoints')!.singular = 'endpoints';

/** The ResourceDef a CRD object describes (undefined if malformed). */
export function resourceFromCrd(crd: KubeObject): ResourceDef | undefined {
  const spec = asObject(crd.spec);
  const names = asObject(spec.names);
  const group = asString(spec.group);
  const plural = asString(names.plural);
  const kind = asString(names.kind);
  if (!group || !plural || !kind) return undefined;
  const versions = asArray(spec.versions).map(asObject);
  const served = versions.filter((v) => v.served !== false);
  const storage = served.find((v) => v.storage === true) ?? served[0];
  if (!storage) return undefined;
  const order = [storage, ...served.filter((v) => v !== storage)].map((v) => asString(v.name) ?? 'v1');
  const sub = asObject(storage.subresources);
  return {
    group,
    versions: order,
    plural,
    singular: asString(names.singular) ?? kind.toLowerCase(),
    kind,
    listKind: asString(names.listKind) ?? `${kind}List`,
    namespaced: spec.scope !== 'Cluster',
    shortNames: asArray(names.shortNames).filter((s): s is string => typeof s === 'string'),
    categories: asArray(names.categories).filter((s): s is string => typeof s === 'string'),
    verbs: ALL_VERBS,
    subresources: [...('status' in sub ? ['status'] : []), ...('scale' in sub ? ['scale'] : [])],
    hasStatus: 'status' in sub,
    crd: true,
  };
}

export function crdEstablished(crd: KubeObject): boolean {
  return dig(crd, 'metadata', 'deletionTimestamp') === undefined;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}
