import { describe, expect, it } from 'vitest';
import type { ResourceInfo } from './client.ts';
import {
  bindsSelectedServiceAccount,
  clusterDependencyNeeds,
  exportableResources,
  globToRegExp,
  kindSelected,
  missingNamespaces,
  namespaceMapFor,
  selectNamespaces,
} from './select.ts';
import { obj } from './testing/fixtures.ts';

describe('namespace selection', () => {
  const all = ['default', 'kube-system', 'shop', 'shop-staging', 'team-a', 'team-b', 'team-legacy'];
  it.each([
    [['shop'], undefined, ['shop']],
    [['shop*'], undefined, ['shop', 'shop-staging']],
    [['team-?'], undefined, ['team-a', 'team-b']],
    [['team-*'], ['*legacy'], ['team-a', 'team-b']],
    [['team-[ab]'], ['team-b'], ['team-a']],
    [['*'], ['kube-*', 'default'], ['shop', 'shop-staging', 'team-a', 'team-b', 'team-legacy']],
    [['nope'], undefined, []],
  ])('%j excluding %j → %j', (namespaces, excludeNamespaces, expected) => {
    expect(selectNamespaces(all, { namespaces, excludeNamespaces })).toEqual(expected);
  });
  it('globs are anchored and dots are literal', () => {
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('shop').test('shop-dev')).toBe(false);
    expect(globToRegExp('[!a]x').test('bx')).toBe(true);
  });
  it('names plain namespaces that do not exist', () => {
    expect(missingNamespaces(all, ['shop', 'nope', 'x-*'])).toEqual(['nope']);
  });
  it('maps every selected namespace, defaulting to its own name', () => {
    expect(namespaceMapFor(['a', 'b'], { a: 'a-dev' })).toEqual({ a: 'a-dev', b: 'b' });
  });
});

const res = (
  group: string,
  kind: string,
  plural: string,
  namespaced = true,
  verbs = ['list', 'create', 'get'],
): ResourceInfo => ({
  group,
  version: 'v1',
  apiVersion: group ? `${group}/v1` : 'v1',
  kind,
  plural,
  namespaced,
  verbs,
  preferred: true,
});

describe('kind selection', () => {
  const deploy = res('apps', 'Deployment', 'deployments');
  const ing = res('networking.k8s.io', 'Ingress', 'ingresses');
  it.each([
    [deploy, ['Deployment'], undefined, true],
    [deploy, ['deployments'], undefined, true],
    [deploy, ['Deployment.apps'], undefined, true],
    [deploy, ['Deployment.extensions'], undefined, false],
    [ing, undefined, ['ingress'], false],
    [ing, ['Deployment'], undefined, false],
    [ing, undefined, undefined, true],
  ])('%o include %j exclude %j → %s', (r, include, exclude, expected) => {
    expect(kindSelected(r, include, exclude)).toBe(expected);
  });

  it('exports namespaced, listable, creatable kinds; Secrets only when asked; never events or leases', () => {
    const all = [
      deploy,
      res('', 'Secret', 'secrets'),
      res('', 'Event', 'events'),
      res('coordination.k8s.io', 'Lease', 'leases'),
      res('', 'Node', 'nodes', false),
      res('authorization.k8s.io', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true, ['create']),
    ];
    expect(exportableResources(all, { includeSecrets: false }).map((r) => r.kind)).toEqual(['Deployment']);
    expect(exportableResources(all, { includeSecrets: true }).map((r) => r.kind)).toEqual([
      'Deployment',
      'Secret',
    ]);
  });
});

describe('cluster-scoped dependencies', () => {
  it('collects custom kinds, service accounts, cluster roles, storage and priority classes', () => {
    const needs = clusterDependencyNeeds([
      obj('stable.example.com/v1', 'CronTab', 'x'),
      obj('v1', 'ServiceAccount', 'catalog'),
      obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', {
        roleRef: { kind: 'ClusterRole', name: 'shop-reader' },
      }),
      obj('v1', 'PersistentVolumeClaim', 'data', { spec: { storageClassName: 'gp3' } }),
      obj('apps/v1', 'StatefulSet', 'db', {
        spec: {
          volumeClaimTemplates: [{ spec: { storageClassName: 'io2' } }],
          template: { spec: { priorityClassName: 'critical-db' } },
        },
      }),
    ]);
    expect([...needs.customKinds]).toEqual(['stable.example.com/CronTab']);
    expect([...needs.serviceAccounts]).toEqual(['shop/catalog']);
    expect([...needs.clusterRoles]).toEqual(['shop-reader']);
    expect([...needs.storageClasses].sort()).toEqual(['gp3', 'io2']);
    expect([...needs.priorityClasses]).toEqual(['critical-db']);
  });
  it('finds cluster role bindings of selected service accounts', () => {
    const crb = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'b' },
      subjects: [{ kind: 'ServiceAccount', name: 'catalog', namespace: 'shop' }],
    };
    expect(bindsSelectedServiceAccount(crb, new Set(['shop/catalog']))).toBe(true);
    expect(bindsSelectedServiceAccount(crb, new Set(['other/catalog']))).toBe(false);
  });
});
