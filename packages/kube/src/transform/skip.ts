/**
 * Skip rules: objects that must not be copied because the target cluster makes its own (owned
 * objects, endpoints, tokens, root CA) or because they are history (events, finished jobs) or bound
 * to the source's infrastructure (PersistentVolumes). Each answers why, for the dry run.
 */
import { asArray, asObject, asString, isObject, type KubeObject } from '../types.ts';
import type { SkipRule } from './rule.ts';

function controllerOwner(o: KubeObject) {
  return o.metadata.ownerReferences?.find((r) => r.controller === true) ?? o.metadata.ownerReferences?.[0];
}

/** ReplicaSets of Deployments, Pods of anything, Jobs of CronJobs: their owner recreates them. */
export const skipControllerOwned: SkipRule = (o, ctx) => {
  const owner = controllerOwner(o);
  if (!owner) return undefined;
  if (o.kind === 'Pod' || o.kind === 'ReplicaSet' || o.kind === 'Job' || o.kind === 'ControllerRevision')
    return `owned by ${owner.kind} ${owner.name}, which recreates it`;
  // Claims a StatefulSet retains (persistentVolumeClaimRetentionPolicy) hold the data: keep them.
  if (o.kind === 'PersistentVolumeClaim') return undefined;
  // Anything else a migrated controller owns is the controller's to recreate in the target.
  return owner.controller === true && ctx.index.uids.has(owner.uid)
    ? `managed by ${owner.kind} ${owner.name}, which is migrated and recreates it`
    : undefined;
};

function jobFinished(o: KubeObject): boolean {
  return asArray(asObject(o.status).conditions).some(
    (c) => isObject(c) && (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

export const skipFinishedJobsAndPods: SkipRule = (o) => {
  if (o.kind === 'Job' && jobFinished(o)) return 'the Job has finished';
  const phase = asString(asObject(o.status).phase);
  if (o.kind === 'Pod' && (phase === 'Succeeded' || phase === 'Failed'))
    return `the Pod has ${phase.toLowerCase()}`;
  return undefined;
};

export const skipEvents: SkipRule = (o) =>
  o.kind === 'Event' ? 'events are history of the source cluster' : undefined;

/** Endpoints and EndpointSlices of Services with a selector are written by the target's controllers. */
export const skipControllerEndpoints: SkipRule = (o, ctx) => {
  if (o.kind === 'EndpointSlice') {
    const managedBy = o.metadata.labels?.['endpointslice.kubernetes.io/managed-by'];
    if (managedBy) return `managed by ${managedBy}`;
    const svc = o.metadata.labels?.['kubernetes.io/service-name'];
    if (svc && hasSelector(ctx.index.get('v1', 'Service', o.metadata.namespace, svc)))
      return `endpoints of Service ${svc}, written by the target's controller`;
    return undefined;
  }
  if (o.kind === 'Endpoints') {
    const svc = ctx.index.get('v1', 'Service', o.metadata.namespace, o.metadata.name ?? '');
    // without the Service in the export we cannot tell; Endpoints of selector Services are derived
    if (!svc || hasSelector(svc)) return 'written by the endpoints controller for its Service';
  }
  return undefined;
};

function hasSelector(svc: KubeObject | undefined): boolean {
  return !!svc && Object.keys(asObject(asObject(svc.spec).selector)).length > 0;
}

export const skipDefaultServiceAccount: SkipRule = (o) =>
  o.kind === 'ServiceAccount' && o.metadata.name === 'default'
    ? 'every namespace gets its own default ServiceAccount'
    : undefined;

/** Token Secrets of ServiceAccounts hold the source cluster's signed tokens; the target mints its own. */
export const skipLegacyTokenSecrets: SkipRule = (o) =>
  o.kind === 'Secret' && o.type === 'kubernetes.io/service-account-token'
    ? 'a ServiceAccount token signed by the source cluster'
    : undefined;

export const skipRootCaConfigMap: SkipRule = (o) =>
  o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt'
    ? "the source cluster's CA bundle; the target publishes its own"
    : undefined;

export const skipPersistentVolumes: SkipRule = (o) =>
  o.kind === 'PersistentVolume' ? 'bound to source disks; the target provisions its own volumes' : undefined;

/** Runtime objects no migration should carry. */
export const skipRuntimeObjects: SkipRule = (o) => {
  if (o.kind === 'Lease') return 'leader-election state of the source';
  if (o.kind === 'Node' || o.kind === 'CSINode') return 'nodes belong to the source cluster';
  return undefined;
};

/** Cluster roles and bindings every cluster ships (system:*, the bootstrap defaults). */
export const skipBuiltinRbac: SkipRule = (o) => {
  if (o.kind !== 'ClusterRole' && o.kind !== 'ClusterRoleBinding') return undefined;
  const name = o.metadata.name ?? '';
  if (name.startsWith('system:') || o.metadata.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults')
    return 'built into every cluster';
  if (['cluster-admin', 'admin', 'edit', 'view'].includes(name)) return 'built into every cluster';
  return undefined;
};

/** Namespaces the cluster itself runs on; no migration writes into them. */
export function isSystemNamespace(name: string | undefined): boolean {
  return name === 'kube-system' || (name ?? '').startsWith('kube-');
}

/**
 * Objects in (or that are) a `kube-*` namespace, on either side: a migration into the target's
 * system namespaces could replace what the cluster runs on.
 */
export const skipSystemNamespaces: SkipRule = (o, ctx) => {
  const ns = o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace;
  if (ns === undefined) return undefined;
  const target = ctx.namespaceMap[ns] ?? ns;
  if (isSystemNamespace(ns) || isSystemNamespace(target))
    return `namespace ${target} is a system namespace; migrations never write into kube-* namespaces`;
  return undefined;
};

const ALL_POWERFUL = new Set(['cluster-admin', 'admin']);

function grantsEverything(role: KubeObject | undefined): boolean {
  return asArray(role?.rules).some((r) => {
    const rule = asObject(r);
    const has = (field: string) => asArray(rule[field]).includes('*');
    return has('verbs') && (has('resources') || has('nonResourceURLs'));
  });
}

/**
 * Cluster-scoped RBAC is broader than the namespaces a migration selects: a ClusterRoleBinding
 * grants across the whole target cluster, so none is applied; a RoleBinding to cluster-admin (or
 * a role granting `*` on `*`) is refused too. ClusterRoles are copied only as definitions some
 * migrated RoleBinding refers to.
 */
export const skipBroadRbac: SkipRule = (o, ctx) => {
  if (o.kind === 'ClusterRoleBinding')
    return 'a ClusterRoleBinding grants across the whole target cluster, beyond the migrated namespaces';
  if (o.kind === 'RoleBinding') {
    const ref = asObject(o.roleRef);
    const name = asString(ref.name) ?? '';
    const role =
      ref.kind === 'ClusterRole'
        ? ctx.index.get('rbac.authorization.k8s.io', 'ClusterRole', undefined, name)
        : ctx.index.get('rbac.authorization.k8s.io', 'Role', o.metadata.namespace, name);
    if ((ref.kind === 'ClusterRole' && ALL_POWERFUL.has(name)) || grantsEverything(role))
      return `binds ${asString(ref.kind) ?? 'role'} ${name}, which grants everything`;
    return undefined;
  }
  if (o.kind === 'ClusterRole') {
    if (grantsEverything(o)) return 'grants every verb on every resource';
    const name = o.metadata.name ?? '';
    const used = [...ctx.index.byKey.values()].some(
      (b) =>
        b.kind === 'RoleBinding' &&
        asObject(b.roleRef).kind === 'ClusterRole' &&
        asObject(b.roleRef).name === name &&
        skipBroadRbac(b, ctx) === undefined,
    );
    if (!used) return 'no migrated RoleBinding refers to it (ClusterRoleBindings are not migrated)';
  }
  return undefined;
};

/** Storage classes are mapped to the target's classes; a source class is only copied inside one cloud. */
export const skipStorageClassOfOtherCloud: SkipRule = (o, ctx) => {
  if (o.kind !== 'StorageClass') return undefined;
  if (ctx.source.cloud !== ctx.target.cloud)
    return `its provisioner ${asString(o.provisioner) ?? ''} belongs to ${ctx.source.cloud}; claims are mapped to ${ctx.target.cloud} classes`;
  if (ctx.targetFacts?.storageClasses.some((s) => s.name === o.metadata.name)) return 'exists in the target';
  return undefined;
};

/** Mover pods of an earlier (or this) migration. */
export const skipMoverPods: SkipRule = (o) =>
  o.metadata.labels?.['dolly-migration-mover'] ? 'a volume mover pod of a migration' : undefined;

export const SKIP_RULES: Record<string, SkipRule> = {
  skipEvents,
  skipControllerEndpoints,
  skipControllerOwned,
  skipFinishedJobsAndPods,
  skipDefaultServiceAccount,
  skipLegacyTokenSecrets,
  skipRootCaConfigMap,
  skipPersistentVolumes,
  skipRuntimeObjects,
  skipBuiltinRbac,
  skipSystemNamespaces,
  skipBroadRbac,
  skipStorageClassOfOtherCloud,
  skipMoverPods,
};
