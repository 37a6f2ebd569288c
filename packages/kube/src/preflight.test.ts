import { describe, expect, it } from 'vitest';
import { type PreflightInput, runPreflight } from './preflight.ts';
import { deployment, obj, targetFacts } from './testing/fixtures.ts';
import type { CloudId, KubeObject } from './types.ts';

const served = new Set([
  'v1|ConfigMap',
  'v1|PersistentVolumeClaim',
  'apps/v1|Deployment',
  'networking.k8s.io/v1|Ingress',
  'v1|Secret',
]);
const input = (
  cloud: CloudId,
  objects: KubeObject[],
  over: Partial<PreflightInput> = {},
): PreflightInput => ({
  objects,
  facts: targetFacts(cloud),
  catalog: { find: (apiVersion, kind) => (served.has(`${apiVersion}|${kind}`) ? ({} as never) : undefined) },
  targetCloud: cloud,
  sameCluster: false,
  namespaces: [{ source: 'shop', target: 'shop-dev' }],
  targetSecrets: new Set(),
  includeSecrets: true,
  ...over,
});
const status = (r: ReturnType<typeof runPreflight>, name: string) =>
  r.checks.find((c) => c.name === name)?.status;

describe('preflight', () => {
  it('passes a plain migration', () => {
    const r = runPreflight(input('gcp', [obj('v1', 'ConfigMap', 'c')]));
    expect(r.ok).toBe(true);
    expect(r.checks.every((c) => c.status === 'pass')).toBe(true);
  });

  it('fails on a storage class the target does not have', () => {
    const r = runPreflight(
      input('azure', [obj('v1', 'PersistentVolumeClaim', 'd', { spec: { storageClassName: 'gp3' } })]),
    );
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.name === 'storage-classes')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/gp3/),
    });
  });

  it('fails on kinds the target does not serve, unless a migrated CRD defines them', () => {
    const cr = obj('stable.example.com/v1', 'CronTab', 'x');
    expect(status(runPreflight(input('aws', [cr])), 'served-apis')).toBe('fail');
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'crontabs.stable.example.com' },
      spec: { group: 'stable.example.com', names: { kind: 'CronTab' } },
    };
    served.add('apiextensions.k8s.io/v1|CustomResourceDefinition');
    expect(status(runPreflight(input('aws', [crd, cr])), 'served-apis')).toBe('pass');
  });

  it.each([
    ['aws', 'alb', 'pass'],
    ['aws', 'gce', 'fail'],
    ['gcp', 'gce-internal', 'pass'],
    ['azure', 'nginx', 'fail'],
  ] as const)('%s: ingress class %s → %s', (cloud, cls, expected) => {
    const ing = obj('networking.k8s.io/v1', 'Ingress', 'i', { spec: { ingressClassName: cls } });
    expect(status(runPreflight(input(cloud, [ing])), 'ingress-classes')).toBe(expected);
  });

  it('warns (does not fail) about node selectors no target node matches', () => {
    const r = runPreflight(
      input('aws', [deployment('w', { nodeSelector: { workload: 'gpu' }, containers: [] })]),
    );
    expect(r.ok).toBe(true);
    expect(r.checks.find((c) => c.name === 'node-selection')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/workload=gpu/),
    });
  });

  it('warns about Secrets the workloads need that will not be there', () => {
    const d = deployment('w', { containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'db' } }] }] });
    expect(status(runPreflight(input('aws', [d], { includeSecrets: false })), 'secrets')).toBe('warn');
    expect(status(runPreflight(input('aws', [d], { targetSecrets: new Set(['shop/db']) })), 'secrets')).toBe(
      'pass',
    );
    expect(status(runPreflight(input('aws', [d, obj('v1', 'Secret', 'db')])), 'secrets')).toBe('pass');
  });

  it('fails a same-cluster migration into the same namespace', () => {
    const r = runPreflight(
      input('aws', [], { sameCluster: true, namespaces: [{ source: 'shop', target: 'shop' }] }),
    );
    expect(r.ok).toBe(false);
  });
});
