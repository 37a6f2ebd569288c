import { describe, expect, it } from 'vitest';
import { context, obj } from '../testing/fixtures.ts';
import {
  stripControllerLabels,
  stripOwnerReferences,
  stripPodNodeName,
  stripPvcBinding,
  stripServerFields,
  stripServiceAllocations,
} from './strip.ts';

const ctx = context('aws', 'azure');

describe('stripServerFields', () => {
  const source = obj(
    'v1',
    'ConfigMap',
    'cfg',
    { data: { a: '1' }, status: { x: 1 } },
    {
      uid: '1f0c',
      resourceVersion: '42',
      generation: 3,
      creationTimestamp: '2026-01-01T00:00:00Z',
      selfLink: '/api/v1/x',
      managedFields: [{ manager: 'helm' }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' },
    },
  );
  it('removes identity, versions, status and the apply record, and says so per field', () => {
    const r = stripServerFields(source, ctx);
    expect(r.object.metadata).toEqual({ name: 'cfg', namespace: 'shop', annotations: { keep: 'me' } });
    expect(r.object.status).toBeUndefined();
    expect(r.changes.map((c) => c.path)).toEqual([
      'metadata.uid',
      'metadata.resourceVersion',
      'metadata.generation',
      'metadata.creationTimestamp',
      'metadata.selfLink',
      'metadata.managedFields',
      'status',
      'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]',
    ]);
    expect(r.changes.every((c) => c.rule === 'stripServerFields' && c.op === 'remove')).toBe(true);
  });
  it('never mutates its input', () => {
    const before = JSON.stringify(source);
    stripServerFields(source, ctx);
    expect(JSON.stringify(source)).toBe(before);
  });
  it('leaves an object without server fields untouched (same instance, no records)', () => {
    const clean = obj('v1', 'ConfigMap', 'cfg', { data: {} });
    const r = stripServerFields(clean, ctx);
    expect(r.object).toBe(clean);
    expect(r.changes).toEqual([]);
  });
});

describe('stripOwnerReferences', () => {
  it('removes owners (their uids do not exist in the target)', () => {
    const o = obj(
      'v1',
      'PersistentVolumeClaim',
      'data-db-0',
      {},
      { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u' }] },
    );
    expect(stripOwnerReferences(o, ctx).object.metadata.ownerReferences).toBeUndefined();
  });
});

describe('stripControllerLabels', () => {
  it('drops the uid-bound selector and labels of a standalone Job', () => {
    const job = obj(
      'batch/v1',
      'Job',
      'migrate',
      {
        spec: {
          selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } },
          template: {
            metadata: {
              labels: { 'batch.kubernetes.io/controller-uid': 'u1', 'job-name': 'migrate', app: 'm' },
            },
            spec: {},
          },
        },
      },
      { labels: { 'controller-uid': 'u1', app: 'm' } },
    );
    const r = stripControllerLabels(job, ctx);
    expect(r.object.metadata.labels).toEqual({ app: 'm' });
    expect(r.object.spec).toEqual({ template: { metadata: { labels: { app: 'm' } }, spec: {} } });
  });
  it('keeps a manual selector', () => {
    const job = obj('batch/v1', 'Job', 'j', {
      spec: {
        manualSelector: true,
        selector: { matchLabels: { 'controller-uid': 'mine' } },
        template: { spec: {} },
      },
    });
    expect(stripControllerLabels(job, ctx).object.spec).toMatchObject({
      selector: { matchLabels: { 'controller-uid': 'mine' } },
    });
  });
});

describe('stripServiceAllocations', () => {
  const svc = (spec: Record<string, unknown>, annotations?: Record<string, string>) =>
    obj('v1', 'Service', 'web', { spec }, annotations ? { annotations } : {});
  it.each([
    [
      'ClusterIP service',
      { type: 'ClusterIP', clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5'], ports: [{ port: 80 }] },
      { type: 'ClusterIP', ports: [{ port: 80 }] },
    ],
    [
      'headless service keeps None',
      { clusterIP: 'None', clusterIPs: ['None'], ports: [] },
      { clusterIP: 'None', clusterIPs: ['None'], ports: [] },
    ],
    [
      'LoadBalancer with allocations',
      {
        type: 'LoadBalancer',
        clusterIP: '10.0.0.9',
        ports: [{ port: 80, nodePort: 31234 }],
        healthCheckNodePort: 32000,
        externalIPs: ['1.2.3.4'],
        loadBalancerIP: '20.1.1.1',
      },
      { type: 'LoadBalancer', ports: [{ port: 80 }] },
    ],
  ])('%s', (_name, spec, expected) => {
    expect(stripServiceAllocations(svc(spec), ctx).object.spec).toEqual(expected);
  });
  it('keeps a nodePort the user asked for in the last-applied record', () => {
    const r = stripServiceAllocations(
      svc(
        {
          type: 'NodePort',
          ports: [
            { port: 80, nodePort: 30080 },
            { port: 81, nodePort: 31999 },
          ],
        },
        {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
            spec: { ports: [{ port: 80, nodePort: 30080 }] },
          }),
        },
      ),
      ctx,
    );
    expect(r.object.spec).toEqual({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }, { port: 81 }] });
  });
  it('warns that a fixed load balancer address is not carried', () => {
    const r = stripServiceAllocations(svc({ type: 'LoadBalancer', loadBalancerIP: '20.1.1.1' }), ctx);
    expect(r.warnings[0]?.message).toMatch(/20\.1\.1\.1/);
  });
});

describe('stripPodNodeName', () => {
  it('unbinds a bare pod from its source node', () => {
    const pod = obj('v1', 'Pod', 'debug', { spec: { nodeName: 'ip-10-0-1-2.ec2.internal', containers: [] } });
    expect(stripPodNodeName(pod, ctx).object.spec).toEqual({ containers: [] });
  });
});

describe('stripPvcBinding', () => {
  it('drops the volume name and binding annotations, keeps the request', () => {
    const pvc = obj(
      'v1',
      'PersistentVolumeClaim',
      'data',
      {
        spec: { volumeName: 'pvc-123', storageClassName: 'gp3', resources: { requests: { storage: '1Gi' } } },
      },
      {
        annotations: {
          'pv.kubernetes.io/bind-completed': 'yes',
          'pv.kubernetes.io/bound-by-controller': 'yes',
          'volume.kubernetes.io/selected-node': 'ip-10-0-1-2',
          'volume.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com',
          team: 'db',
        },
      },
    );
    const r = stripPvcBinding(pvc, ctx);
    expect(r.object.spec).toEqual({ storageClassName: 'gp3', resources: { requests: { storage: '1Gi' } } });
    expect(r.object.metadata.annotations).toEqual({ team: 'db' });
  });
  it('drops a snapshot data source with a warning', () => {
    const pvc = obj('v1', 'PersistentVolumeClaim', 'restored', {
      spec: { dataSource: { kind: 'VolumeSnapshot', name: 'snap-1' } },
    });
    const r = stripPvcBinding(pvc, ctx);
    expect(r.object.spec).toEqual({});
    expect(r.warnings[0]?.message).toMatch(/snap-1/);
  });
});
