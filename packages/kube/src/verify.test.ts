import { describe, expect, it } from 'vitest';
import type { KubeClient } from './client.ts';
import type { KubeObject } from './types.ts';
import { verifyWorkloads } from './verify.ts';

/** Only `get` is used by the readiness poll: a Deployment that becomes Ready on the third look. */
function clientReadyAfter(looks: number): KubeClient {
  let seen = 0;
  const get = async (): Promise<KubeObject> => {
    seen++;
    const ready = seen >= looks ? 2 : 0;
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', generation: 1 },
      spec: { replicas: 2 },
      status: {
        observedGeneration: 1,
        replicas: 2,
        readyReplicas: ready,
        updatedReplicas: 2,
        availableReplicas: ready,
      },
    };
  };
  return { get } as unknown as KubeClient;
}

describe('verifyWorkloads', () => {
  it('gives every pause between polls to the idle hook (the worker frees its slot there)', async () => {
    const idled: number[] = [];
    const idle = async <T>(wait: () => Promise<T>): Promise<T> => {
      idled.push(Date.now());
      return wait();
    };
    const results = await verifyWorkloads(
      clientReadyAfter(3),
      [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' }],
      { timeoutMs: 10_000, pollMs: 1, idle },
    );
    expect(results).toEqual([expect.objectContaining({ ready: true })]);
    expect(idled).toHaveLength(2);
  });
});
