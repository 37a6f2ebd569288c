// Apply benchmark: objects per second written into a sandbox cluster by the migration's apply
// (tiers, p-limit, client-side rate limit) for 5,000 objects, against `kubectl apply -f` of the
// same manifests one by one, in the same run. One kubectl process per object costs a process start
// and a discovery each, so kubectl applies a sample and the figure is extrapolated (said so below).
// Run: pnpm exec tsx packages/kube/bench/apply.bench.ts  (exits 1 when the goal is missed)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { reportFigures } from '../../../scripts/lib/bench-figures.ts';
import { type ApplyItem, applyObjects } from '../src/apply.ts';
import { createKubeClient } from '../src/client.ts';
import { tierOf } from '../src/tiers.ts';
import type { KubeObject } from '../src/types.ts';
import { startTestSandbox } from '../test/support/sandbox.ts';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 5_000);
const KUBECTL_SAMPLE = Number(process.env.BENCH_KUBECTL_SAMPLE ?? 100);
const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const QPS = 2_000;
const CONCURRENCY = 32;
/** Batching and parallel writes should beat one process per object by a wide margin. */
const GOAL_SPEEDUP = 5;

/**
 * A mix like a Helm-managed namespace: mostly ConfigMaps and Secrets, some accounts, Services and
 * Deployments (held at zero replicas, as a migration holds workloads whose data is still coming).
 * The sandbox reconciles every Service and Deployment on every write, so its cost per write grows
 * with them; both sides of the comparison pay it alike.
 */
function manifest(i: number, namespace: string): KubeObject {
  const name = `obj-${String(i).padStart(5, '0')}`;
  const labels = { app: `app-${i % 50}`, 'dolly-migration': 'bench' };
  const slot = i % 50;
  if (slot === 0)
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [
              { name: 'app', image: 'registry.example/app:1.0', resources: { requests: { cpu: '10m' } } },
            ],
          },
        },
      },
    };
  if (slot <= 2)
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels },
      spec: { selector: { app: `app-${i % 50}` }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    };
  if (slot <= 4) return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } };
  if (slot <= 9)
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace, labels },
      type: 'Opaque',
      data: { token: Buffer.from(`bench-${i}`).toString('base64') },
    };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels },
    data: { 'settings.json': JSON.stringify({ index: i, feature: i % 7 === 0, owner: `team-${i % 13}` }) },
  };
}

/** Async on purpose: the sandbox serves kubectl from this very process, so it must not block. */
function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? 1, stdout, stderr }));
  });
}

const sb = await startTestSandbox({ persistDebounceMs: 600_000 });
const dir = mkdtempSync(join(tmpdir(), 'dolly-kube-bench-'));
try {
  const kubeconfig = await sb.kubeconfig('gcp', 'dev');
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig);
  const client = createKubeClient(kubeconfig, { qps: QPS, burst: QPS, maxSockets: CONCURRENCY });
  for (const ns of ['bench-dolly', 'bench-kubectl'])
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

  // Dolly: every object through the migration's apply.
  const items: ApplyItem[] = Array.from({ length: OBJECTS }, (_, i) => {
    const object = manifest(i, 'bench-dolly');
    return {
      source: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: 'shop',
        name: object.metadata.name ?? '',
      },
      tier: tierOf(object),
      object,
    };
  });
  const start = performance.now();
  const results = await applyObjects(client, items, {
    migrationId: 'bench',
    existing: 'skip',
    concurrency: CONCURRENCY,
  });
  const dollySeconds = (performance.now() - start) / 1000;
  const created = results.filter((r) => r.result === 'created').length;
  if (created !== OBJECTS)
    throw new Error(
      `dolly created ${created} of ${OBJECTS}: ${results.find((r) => r.result !== 'created')?.reason}`,
    );
  const dollyRate = OBJECTS / dollySeconds;

  // kubectl: the same manifests, one `kubectl apply -f` each.
  const sample = Math.min(KUBECTL_SAMPLE, OBJECTS);
  const files = Array.from({ length: sample }, (_, i) => {
    const f = join(dir, `m-${i}.json`);
    writeFileSync(f, JSON.stringify(manifest(i, 'bench-kubectl')));
    return f;
  });
  const env = { ...process.env, KUBECONFIG: kubeconfigPath, HOME: dir };
  const kStart = performance.now();
  for (const f of files) {
    const r = await run(KUBECTL, ['apply', '-f', f], env);
    if (r.status !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
  }
  const kubectlSeconds = (performance.now() - kStart) / 1000;
  const kubectlRate = sample / kubectlSeconds;
  const listed = await run(
    KUBECTL,
    ['get', 'configmaps,secrets,services,serviceaccounts,deployments', '-n', 'bench-kubectl', '-o', 'name'],
    env,
  );
  const kubectlObjects = listed.stdout.split('\n').filter((l) => l.includes('obj-')).length;
  if (kubectlObjects !== sample) throw new Error(`kubectl created ${kubectlObjects} of ${sample}`);

  const speedup = dollyRate / kubectlRate;
  console.log(
    `objects: ${OBJECTS} (80% ConfigMaps, 10% Secrets, 4% ServiceAccounts, 4% Services, 2% Deployments) into a sandbox GKE cluster`,
  );
  console.log(
    `dolly apply:   ${OBJECTS} objects in ${dollySeconds.toFixed(2)} s = ${dollyRate.toFixed(0)} objects/s (concurrency ${CONCURRENCY}, client rate limit ${QPS} req/s)`,
  );
  console.log(
    `kubectl apply: ${sample} objects one by one in ${kubectlSeconds.toFixed(2)} s = ${kubectlRate.toFixed(1)} objects/s` +
      (sample < OBJECTS
        ? ` (a sample of ${sample}; extrapolated: ${OBJECTS} objects would take ${(OBJECTS / kubectlRate).toFixed(0)} s)`
        : ''),
  );
  console.log(`speedup: ${speedup.toFixed(1)}x (goal ≥ ${GOAL_SPEEDUP}x)`);
  reportFigures({
    kube_apply_objects_per_s: Math.round(dollyRate),
    kube_apply_speedup_vs_kubectl: Number(speedup.toFixed(1)),
  });
  if (speedup < GOAL_SPEEDUP) process.exitCode = 1;
} finally {
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
}
