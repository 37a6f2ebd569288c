/**
 * deploy/kubernetes renders with kustomize and a Kubernetes API server accepts every object of it
 * (server-side dry run against a sandbox cluster), with the properties an operator relies on.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterInfo, type KubeHarness, pool, startKubeHarness } from './support/kube-harness.ts';

const KUBECTL = '/usr/bin/kubectl';
const BASE = fileURLToPath(new URL('../../../deploy/kubernetes', import.meta.url));
const run = promisify(execFile);

interface Container {
  name: string;
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  resources?: { requests?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}
interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  automountServiceAccountToken?: boolean;
}
interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: {
    replicas?: number;
    template?: { spec: PodSpec };
    ports?: { name: string; port: number }[];
    podSelector?: Record<string, unknown>;
    policyTypes?: string[];
  };
}

let h: KubeHarness;
let dir: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(
    KUBECTL,
    ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args],
    { env: { PATH: process.env.PATH ?? '/usr/bin', HOME: dir }, timeout: 60_000, maxBuffer: 16 << 20 },
  );
  return stdout;
}

function one(items: Obj[], kind: string, name: string): Obj {
  const found = items.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} missing from the rendered base`);
  return found;
}

function secretRefs(c: Container): string[] {
  return (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.key] : []));
}

describe.skipIf(!existsSync(KUBECTL))('deploy/kubernetes', () => {
  let items: Obj[];

  beforeAll(async () => {
    h = await startKubeHarness();
    h.hub.ensureCluster('ops-1', clusterInfo('aws', 'ops', [pool('aws', 'general', { nodeCount: 2 })]));
    dir = mkdtempSync(join(tmpdir(), 'deploy-kubernetes-'));
    writeFileSync(join(dir, 'kubeconfig'), h.kubeConfigYaml('ops-1'));
    writeFileSync(join(dir, 'rendered.yaml'), await kubectl('kustomize', BASE));
    // A dry run creates nothing, the namespace included; the namespaced objects need it to exist.
    await kubectl('create', 'namespace', 'dolly');
    const out = JSON.parse(
      await kubectl('apply', '--dry-run=server', '-o', 'json', '-f', join(dir, 'rendered.yaml')),
    ) as { kind: string; items?: Obj[] };
    items = out.kind === 'List' ? (out.items ?? []) : [out as unknown as Obj];
  });

  afterAll(async () => {
    await h?.close();
  });

  it('is accepted by the API server and creates nothing on a dry run', async () => {
    expect(items.map((o) => o.kind).sort()).toEqual(
      expect.arrayContaining([
        'ConfigMap',
        'Deployment',
        'Job',
        'NetworkPolicy',
        'Service',
        'ServiceAccount',
      ]),
    );
    for (const o of items.filter((o) => o.kind !== 'Namespace')) expect(o.metadata.namespace).toBe('dolly');
    expect(await kubectl('get', 'deployments', '-n', 'dolly', '-o', 'name')).toBe('');
  });

  it('runs two or more API replicas with health and readiness probes and the secrets by reference', () => {
    const api = one(items, 'Deployment', 'dolly-api');
    expect(api.spec?.replicas).toBeGreaterThanOrEqual(2);
    const c = api.spec?.template?.spec.containers[0];
    expect(c?.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(c?.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(secretRefs(c as Container).sort()).toEqual([
      'DATABASE_URL',
      'DOLLY_METRICS_TOKEN',
      'DOLLY_SECRET_KEYS',
      'REDIS_URL',
    ]);
  });

  it('runs workers with a named metrics port and a migration job', () => {
    const worker = one(items, 'Deployment', 'dolly-worker');
    const c = worker.spec?.template?.spec.containers[0];
    expect(c?.ports?.find((p) => p.name === 'metrics')?.containerPort).toBe(9464);
    expect(secretRefs(c as Container)).toContain('DOLLY_SECRET_KEYS');
    expect(one(items, 'Service', 'dolly-worker-metrics').spec?.ports?.map((p) => p.name)).toContain(
      'metrics',
    );
    const job = one(items, 'Job', 'dolly-migrate');
    expect(secretRefs(job.spec?.template?.spec.containers[0] as Container)).toEqual(['DATABASE_URL']);
  });

  it('runs every pod as non-root with requests, no token and no privilege escalation', () => {
    const pods = items.flatMap((o) =>
      o.spec?.template ? [[o.metadata.name, o.spec.template.spec] as const] : [],
    );
    expect(pods.length).toBe(3);
    for (const [name, spec] of pods) {
      expect(spec.securityContext?.runAsNonRoot, name).toBe(true);
      expect(spec.securityContext?.runAsUser, name).not.toBe(0);
      expect(spec.automountServiceAccountToken, name).toBe(false);
      for (const c of spec.containers) {
        expect(c.resources?.requests?.cpu, `${name}/${c.name}`).toBeTruthy();
        expect(c.resources?.requests?.memory, `${name}/${c.name}`).toBeTruthy();
        expect(c.securityContext?.allowPrivilegeEscalation, `${name}/${c.name}`).toBe(false);
        expect(c.securityContext?.readOnlyRootFilesystem, `${name}/${c.name}`).toBe(true);
      }
    }
  });

  it('denies ingress by default', () => {
    const deny = one(items, 'NetworkPolicy', 'dolly-default-deny-ingress');
    expect(deny.spec?.podSelector).toEqual({});
    expect(deny.spec?.policyTypes).toEqual(['Ingress']);
  });
});
