/**
 * Apply order (migration.md, Velero's restore priorities): definitions and namespaces first, then
 * storage, RBAC, config, secrets, volumes, workloads, services, ingress, then the rest. Within a
 * tier nothing depends on anything else, so a tier is applied in parallel.
 */
import { type MigrationTier, migrationTiers } from '@dolly/contracts';
import { groupOf } from './types.ts';

const TIER_OF_KIND: Record<string, MigrationTier> = {
  'apiextensions.k8s.io/CustomResourceDefinition': 'definitions',
  '/Namespace': 'definitions',
  'storage.k8s.io/StorageClass': 'storage',
  'storage.k8s.io/CSIDriver': 'storage',
  '/ServiceAccount': 'rbac',
  'rbac.authorization.k8s.io/ClusterRole': 'rbac',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'rbac',
  'rbac.authorization.k8s.io/Role': 'rbac',
  'rbac.authorization.k8s.io/RoleBinding': 'rbac',
  '/ConfigMap': 'config',
  '/LimitRange': 'config',
  '/ResourceQuota': 'config',
  // admission rejects pods that name an unknown priority class, so it precedes workloads
  'scheduling.k8s.io/PriorityClass': 'config',
  '/Secret': 'secrets',
  '/PersistentVolumeClaim': 'volumes',
  'apps/Deployment': 'workloads',
  'apps/StatefulSet': 'workloads',
  'apps/DaemonSet': 'workloads',
  'apps/ReplicaSet': 'workloads',
  '/ReplicationController': 'workloads',
  'batch/Job': 'workloads',
  'batch/CronJob': 'workloads',
  '/Pod': 'workloads',
  '/Service': 'services',
  '/Endpoints': 'services',
  'discovery.k8s.io/EndpointSlice': 'services',
  'networking.k8s.io/Ingress': 'ingress',
  'networking.k8s.io/IngressClass': 'ingress',
};

export function tierOf(obj: { apiVersion: string; kind: string }): MigrationTier {
  return TIER_OF_KIND[`${groupOf(obj.apiVersion)}/${obj.kind}`] ?? 'rest';
}

export function tierIndex(tier: MigrationTier): number {
  return migrationTiers.indexOf(tier);
}

/** Items grouped by tier, in apply order; empty tiers are left out. */
export function groupByTier<T>(items: T[], tier: (item: T) => MigrationTier): [MigrationTier, T[]][] {
  const groups = new Map<MigrationTier, T[]>();
  for (const item of items) {
    const t = tier(item);
    const list = groups.get(t) ?? [];
    list.push(item);
    groups.set(t, list);
  }
  return migrationTiers.filter((t) => groups.has(t)).map((t) => [t, groups.get(t)!]);
}
