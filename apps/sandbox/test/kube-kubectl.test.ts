import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterInfo, type KubeHarness, pool, startKubeHarness } from './support/kube-harness.ts';

const KUBECTL = '/usr/bin/kubectl';
const run = promisify(execFile);

let h: KubeHarness;
let dir: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(
    KUBECTL,
    ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin', HOME: dir },
      timeout: 60_000,
    },
  );
  return stdout;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      nodeSelector:
        eks.amazonaws.com/nodegroup: general
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
        env:
        - name: MODE
          value: blue
`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.dolly.dev
spec:
  group: dolly.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wdg]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: v1
kind: Namespace
metadata:
  name: widgets
`;

describe.skipIf(!existsSync(KUBECTL))('kubectl against a hub cluster', () => {
  beforeAll(async () => {
    h = await startKubeHarness();
    h.hub.ensureCluster(
      'eks-1',
      clusterInfo('aws', 'prod-us', [
        pool('aws', 'general', { nodeCount: 2 }),
        pool('aws', 'gpu', {
          nodeCount: 1,
          taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
        }),
      ]),
    );
    h.hub.seedDemoWorkloads('eks-1');
    dir = mkdtempSync(join(tmpdir(), 'kube-kubectl-'));
    writeFileSync(join(dir, 'kubeconfig'), h.kubeConfigYaml('eks-1'));
  });

  afterAll(async () => {
    await h?.close();
  });

  it('lists nodes, resources and everything', async () => {
    const nodes = await kubectl('get', 'nodes');
    expect(nodes).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(nodes.trim().split('\n')).toHaveLength(4);
    expect(nodes).toContain(' Ready ');
    const res = await kubectl('api-resources');
    expect(res).toMatch(/deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    expect(res).toMatch(/persistentvolumeclaims\s+pvc\s+v1\s+true\s+PersistentVolumeClaim/);
    const all = await kubectl('get', 'all', '-A');
    expect(all).toContain('deployment.apps/frontend');
    expect(all).toContain('statefulset.apps/db');
    expect(all).toContain('service/frontend');
    expect(all).toMatch(/cronjob\.batch\/nightly-report/);
    const json = JSON.parse(await kubectl('get', 'pods', '-n', 'shop', '-o', 'json')) as {
      items: { status: { phase: string } }[];
    };
    expect(json.items.length).toBeGreaterThanOrEqual(5);
    expect(json.items.every((p) => p.status.phase === 'Running')).toBe(true);
  });

  it('applies a Deployment (create, then configure through a strategic merge patch)', async () => {
    writeFileSync(join(dir, 'web.yaml'), DEPLOYMENT);
    expect(await kubectl('apply', '-f', join(dir, 'web.yaml'))).toContain('deployment.apps/web created');
    await kubectl('rollout', 'status', 'deployment/web', '-n', 'shop', '--timeout=20s');
    writeFileSync(
      join(dir, 'web.yaml'),
      DEPLOYMENT.replace('replicas: 2', 'replicas: 3').replace('value: blue', 'value: green'),
    );
    expect(await kubectl('apply', '-f', join(dir, 'web.yaml'))).toContain('deployment.apps/web configured');
    expect(await kubectl('apply', '-f', join(dir, 'web.yaml'))).toContain('deployment.apps/web unchanged');
    const d = JSON.parse(await kubectl('get', 'deploy', 'web', '-n', 'shop', '-o', 'json')) as {
      metadata: { generation: number; annotations: Record<string, string> };
      spec: { replicas: number; template: { spec: { containers: { env: { value: string }[] }[] } } };
      status: { readyReplicas: number };
    };
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers[0]?.env[0]?.value).toBe('green');
    expect(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('green');
    expect(d.metadata.generation).toBe(2);
    expect(d.status.readyReplicas).toBe(3);
    await kubectl('wait', '--for=condition=Available', 'deployment/web', '-n', 'shop', '--timeout=20s');
    expect(await kubectl('delete', '-f', join(dir, 'web.yaml'))).toContain('deleted');
  });

  it('applies a CRD and serves its custom resources', async () => {
    writeFileSync(join(dir, 'crd.yaml'), CRD);
    await kubectl('apply', '-f', join(dir, 'crd.yaml'));
    writeFileSync(
      join(dir, 'widget.yaml'),
      'apiVersion: dolly.dev/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: widgets\nspec:\n  size: 3\n',
    );
    expect(await kubectl('apply', '-f', join(dir, 'widget.yaml'))).toContain('widget.dolly.dev/w1 created');
    expect(await kubectl('get', 'wdg', '-n', 'widgets')).toContain('w1');
    expect(await kubectl('api-resources', '--api-group=dolly.dev')).toContain('widgets');
  });

  it('execs into a pod', async () => {
    const out = await kubectl(
      'exec',
      '-n',
      'shop',
      'db-0',
      '--',
      'cat',
      '/var/lib/postgresql/data/pgdata/PG_VERSION',
    );
    expect(out).toBe('16\n');
  });
});
