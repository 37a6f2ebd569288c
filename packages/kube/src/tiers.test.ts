import { describe, expect, it } from 'vitest';
import { groupByTier, tierIndex, tierOf } from './tiers.ts';

describe('apply tiers', () => {
  it.each([
    ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'definitions'],
    ['v1', 'Namespace', 'definitions'],
    ['storage.k8s.io/v1', 'StorageClass', 'storage'],
    ['v1', 'ServiceAccount', 'rbac'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'rbac'],
    ['v1', 'ConfigMap', 'config'],
    ['scheduling.k8s.io/v1', 'PriorityClass', 'config'],
    ['v1', 'Secret', 'secrets'],
    ['v1', 'PersistentVolumeClaim', 'volumes'],
    ['apps/v1', 'StatefulSet', 'workloads'],
    ['batch/v1', 'CronJob', 'workloads'],
    ['v1', 'Service', 'services'],
    ['networking.k8s.io/v1', 'Ingress', 'ingress'],
    ['autoscaling/v2', 'HorizontalPodAutoscaler', 'rest'],
    ['stable.example.com/v1', 'CronTab', 'rest'],
    // a same-named kind of another group is not the built-in one
    ['example.com/v1', 'Secret', 'rest'],
  ])('%s %s → %s', (apiVersion, kind, tier) => {
    expect(tierOf({ apiVersion, kind })).toBe(tier);
  });

  it('orders dependencies before dependants', () => {
    const order = [
      'Namespace',
      'StorageClass',
      'ServiceAccount',
      'ConfigMap',
      'Secret',
      'PersistentVolumeClaim',
      'Deployment',
      'Service',
      'Ingress',
    ];
    const groups = {
      Namespace: 'v1',
      StorageClass: 'storage.k8s.io/v1',
      ServiceAccount: 'v1',
      ConfigMap: 'v1',
      Secret: 'v1',
      PersistentVolumeClaim: 'v1',
      Deployment: 'apps/v1',
      Service: 'v1',
      Ingress: 'networking.k8s.io/v1',
    } as const;
    const idx = order.map((k) =>
      tierIndex(tierOf({ apiVersion: groups[k as keyof typeof groups], kind: k })),
    );
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
  });

  it('groups in apply order and leaves out empty tiers', () => {
    const items = [
      { apiVersion: 'v1', kind: 'Service', n: 1 },
      { apiVersion: 'v1', kind: 'Namespace', n: 2 },
      { apiVersion: 'v1', kind: 'Service', n: 3 },
    ];
    expect(groupByTier(items, tierOf).map(([t, xs]) => [t, xs.map((x) => x.n)])).toEqual([
      ['definitions', [2]],
      ['services', [1, 3]],
    ]);
  });
});
