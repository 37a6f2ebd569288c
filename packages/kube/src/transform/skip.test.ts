import { describe, expect, it } from 'vitest';
import { CROSS_PAIRS, context, obj } from '../testing/fixtures.ts';
import type { KubeObject } from '../types.ts';
import { SKIP_RULES } from './skip.ts';
import { skipReason } from './index.ts';

const owner = (kind: string, name: string, uid: string, controller = true) => ({
  ownerReferences: [{ apiVersion: 'apps/v1', kind, name, uid, controller }],
});
const svc = obj(
  'v1',
  'Service',
  'web',
  { spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
  { uid: 'svc-uid' },
);
const headless = obj('v1', 'Service', 'external-db', { spec: { ports: [{ port: 5432 }] } });
const deploy = obj('apps/v1', 'Deployment', 'web', {}, { uid: 'dep-uid' });
const RBAC = 'rbac.authorization.k8s.io/v1';
const readers = obj(RBAC, 'RoleBinding', 'shop-readers', {
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'shop-reader' },
  subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }],
});
const everything = { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
const godRole = { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'shop-god' }, ...everything };

const cases: { name: string; object: KubeObject; rule?: string }[] = [
  {
    name: 'a Pod of a ReplicaSet',
    object: obj('v1', 'Pod', 'web-abc', {}, owner('ReplicaSet', 'web-1', 'rs')),
    rule: 'skipControllerOwned',
  },
  {
    name: 'a ReplicaSet of a Deployment',
    object: obj('apps/v1', 'ReplicaSet', 'web-1', {}, owner('Deployment', 'web', 'dep-uid')),
    rule: 'skipControllerOwned',
  },
  {
    name: 'a Job of a CronJob',
    object: obj('batch/v1', 'Job', 'report-1', {}, owner('CronJob', 'report', 'cj')),
    rule: 'skipControllerOwned',
  },
  {
    name: 'a finished Job',
    object: obj('batch/v1', 'Job', 'once', {
      status: { conditions: [{ type: 'Complete', status: 'True' }] },
    }),
    rule: 'skipFinishedJobsAndPods',
  },
  {
    name: 'a succeeded bare Pod',
    object: obj('v1', 'Pod', 'once', { status: { phase: 'Succeeded' } }),
    rule: 'skipFinishedJobsAndPods',
  },
  { name: 'an Event', object: obj('v1', 'Event', 'web.1'), rule: 'skipEvents' },
  {
    name: 'Endpoints of a selector Service',
    object: obj('v1', 'Endpoints', 'web'),
    rule: 'skipControllerEndpoints',
  },
  {
    name: 'an EndpointSlice managed by the controller',
    object: obj(
      'discovery.k8s.io/v1',
      'EndpointSlice',
      'web-x1',
      {},
      {
        labels: {
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          'kubernetes.io/service-name': 'web',
        },
      },
    ),
    rule: 'skipControllerEndpoints',
  },
  {
    name: 'the default ServiceAccount',
    object: obj('v1', 'ServiceAccount', 'default'),
    rule: 'skipDefaultServiceAccount',
  },
  {
    name: 'a legacy token Secret',
    object: obj('v1', 'Secret', 'web-token-x', { type: 'kubernetes.io/service-account-token' }),
    rule: 'skipLegacyTokenSecrets',
  },
  {
    name: 'kube-root-ca.crt',
    object: obj('v1', 'ConfigMap', 'kube-root-ca.crt'),
    rule: 'skipRootCaConfigMap',
  },
  {
    name: 'a PersistentVolume',
    object: { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' } },
    rule: 'skipPersistentVolumes',
  },
  {
    name: 'a built-in ClusterRole',
    object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'view' } },
    rule: 'skipBuiltinRbac',
  },
  {
    name: 'a ClusterRoleBinding of a migrated ServiceAccount to cluster-admin',
    object: {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'web-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }],
    },
    rule: 'skipBroadRbac',
  },
  {
    name: 'a ClusterRoleBinding to a narrow role',
    object: {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'web-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'shop-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }],
    },
    rule: 'skipBroadRbac',
  },
  {
    name: 'a RoleBinding to cluster-admin',
    object: obj(RBAC, 'RoleBinding', 'web-admin', {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    }),
    rule: 'skipBroadRbac',
  },
  {
    name: 'a RoleBinding to a role granting * on *',
    object: obj(RBAC, 'RoleBinding', 'web-god', {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'shop-god' },
    }),
    rule: 'skipBroadRbac',
  },
  { name: 'a ClusterRole granting * on *', object: godRole, rule: 'skipBroadRbac' },
  {
    name: 'a ClusterRole no migrated RoleBinding uses',
    object: { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'unused' } },
    rule: 'skipBroadRbac',
  },
  {
    name: 'an object in kube-system',
    object: obj('v1', 'ConfigMap', 'coredns', {}, { namespace: 'kube-system' }),
    rule: 'skipSystemNamespaces',
  },
  {
    name: 'the kube-public Namespace',
    object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-public' } },
    rule: 'skipSystemNamespaces',
  },
  {
    name: 'a mover pod',
    object: obj('v1', 'Pod', 'dolly-mover-source-1', {}, { labels: { 'dolly-migration-mover': 'source' } }),
    rule: 'skipMoverPods',
  },
  // kept
  { name: 'a Deployment', object: deploy },
  { name: 'a running bare Pod', object: obj('v1', 'Pod', 'debug', { status: { phase: 'Running' } }) },
  { name: 'an unfinished Job', object: obj('batch/v1', 'Job', 'migrate-db', { status: { active: 1 } }) },
  { name: 'Endpoints of a Service without selector', object: obj('v1', 'Endpoints', 'external-db') },
  { name: 'a named ServiceAccount', object: obj('v1', 'ServiceAccount', 'web') },
  { name: 'an Opaque Secret', object: obj('v1', 'Secret', 'creds', { type: 'Opaque' }) },
  {
    name: 'a claim a StatefulSet owns',
    object: obj('v1', 'PersistentVolumeClaim', 'data-db-0', {}, owner('StatefulSet', 'db', 'sts')),
  },
  {
    name: 'a ConfigMap owned by an object outside the migration',
    object: obj('v1', 'ConfigMap', 'generated', {}, owner('Foo', 'x', 'elsewhere')),
  },
  {
    name: 'a user ClusterRole',
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'shop-reader' },
    },
  },
];

describe('skip rules', () => {
  const ctx = context('aws', 'gcp', { objects: [svc, headless, deploy, readers, godRole] });
  it.each(cases)('$name → $rule', ({ object, rule }) => {
    expect(skipReason(object, ctx)?.rule).toBe(rule);
  });

  it('skips objects of a namespace mapped to a kube-* namespace in the target', () => {
    const mapped = context('aws', 'gcp', { objects: [deploy], namespaceMap: { shop: 'kube-system' } });
    expect(skipReason(deploy, mapped)).toMatchObject({ rule: 'skipSystemNamespaces' });
  });

  it('keeps a RoleBinding to a narrow ClusterRole', () => {
    expect(skipReason(readers, ctx)).toBeUndefined();
  });

  it('skips a ConfigMap that a migrated controller owns', () => {
    const cm = obj('v1', 'ConfigMap', 'web-generated', {}, owner('Deployment', 'web', 'dep-uid'));
    expect(skipReason(cm, ctx)).toMatchObject({ rule: 'skipControllerOwned' });
  });

  it.each(CROSS_PAIRS)('does not copy a %s StorageClass to %s', (s, t) => {
    const sc = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'fast' },
      provisioner: 'x',
    };
    expect(SKIP_RULES.skipStorageClassOfOtherCloud!(sc, context(s, t))).toMatch(/belongs to/);
  });

  it('copies a StorageClass inside one cloud when the target lacks it', () => {
    const sc = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'fast' },
      provisioner: 'ebs.csi.aws.com',
    };
    expect(SKIP_RULES.skipStorageClassOfOtherCloud!(sc, context('aws', 'aws'))).toBeUndefined();
    const gp3 = { ...sc, metadata: { name: 'gp3' } };
    expect(SKIP_RULES.skipStorageClassOfOtherCloud!(gp3, context('aws', 'aws'))).toBe('exists in the target');
  });
});
