import { describe, expect, it } from 'vitest';
import type { KubeObject } from './types.ts';
import { objectDrift, REDACTED_DIFFERS } from './workload-drift.ts';

const deployment = (over: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'web' } },
  spec: {
    replicas: 2,
    template: {
      spec: { containers: [{ name: 'web', image: 'shop/web:1.4.2', ports: [{ containerPort: 80 }] }] },
    },
  },
  ...over,
});

describe('objectDrift', () => {
  it('finds nothing when the target holds what the migration writes, whatever the server added', () => {
    const live = deployment();
    live.metadata = { ...live.metadata, uid: 'u1', resourceVersion: '7', generation: 3 };
    const spec = live.spec as { template: { spec: { containers: Record<string, unknown>[] } } };
    (spec.template.spec.containers[0] as Record<string, unknown>).imagePullPolicy = 'IfNotPresent';
    live.status = { readyReplicas: 2 };
    expect(objectDrift(deployment(), live)).toEqual([]);
  });

  it('names each changed field with its path, labels with dots quoted', () => {
    const live = deployment({
      spec: {
        replicas: 5,
        template: {
          spec: { containers: [{ name: 'web', image: 'shop/web:9.9.9', ports: [{ containerPort: 80 }] }] },
        },
      },
    });
    live.metadata = { ...live.metadata, labels: {} };
    expect(objectDrift(deployment(), live)).toEqual([
      { path: 'metadata.labels["app.kubernetes.io/name"]', expected: 'web', actual: null },
      { path: 'spec.replicas', expected: 2, actual: 5 },
      {
        path: 'spec.template.spec.containers[0].image',
        expected: 'shop/web:1.4.2',
        actual: 'shop/web:9.9.9',
      },
    ]);
  });

  it('compares a list of another length as a whole', () => {
    const live = deployment({
      spec: { replicas: 2, template: { spec: { containers: [] } } },
    });
    expect(objectDrift(deployment(), live)).toEqual([
      {
        path: 'spec.template.spec.containers',
        expected: [{ name: 'web', image: 'shop/web:1.4.2', ports: [{ containerPort: 80 }] }],
        actual: [],
      },
    ]);
  });

  it('says an object is missing', () => {
    expect(objectDrift(deployment(), undefined)).toEqual([
      { path: 'object', expected: 'present', actual: null },
    ]);
  });

  it('never shows a Secret value, only that it differs or is gone', () => {
    const secret = (data: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      type: 'Opaque',
      data,
    });
    const found = objectDrift(
      secret({ PASSWORD: 'c2VjcmV0', USER: 'YWRtaW4=' }),
      secret({ PASSWORD: 'b3RoZXI=' }),
    );
    expect(found).toEqual([
      { path: 'data.PASSWORD', expected: '<redacted>', actual: REDACTED_DIFFERS },
      { path: 'data.USER', expected: '<redacted>', actual: null },
    ]);
    expect(JSON.stringify(found)).not.toMatch(/c2VjcmV0|b3RoZXI|YWRtaW4/);
  });
});
