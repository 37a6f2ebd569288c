/** Helpers for the migration integration tests: clusters of the demo fleet, requests, probes. */
import { createHash, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { type MigrationRequestInput, migrationRequestSchema } from '@dolly/contracts';
import { demoDbFiles } from '../../../../apps/sandbox/src/kube/demo.ts';
import { createKubeClient, type KubeClient } from '../../src/client.ts';
import type { MigrationClusters } from '../../src/context.ts';
import type { CloudId, KubeObject } from '../../src/types.ts';
import { execInPod } from '../../src/volumes.ts';
import { FLEET, type TestSandbox } from './sandbox.ts';

export const CLUSTER_IDS: Record<CloudId, Record<'prod' | 'dev', string>> = {
  aws: { prod: '00000000-0000-4000-8000-00000000a001', dev: '00000000-0000-4000-8000-00000000a002' },
  azure: { prod: '00000000-0000-4000-8000-00000000b001', dev: '00000000-0000-4000-8000-00000000b002' },
  gcp: { prod: '00000000-0000-4000-8000-00000000c001', dev: '00000000-0000-4000-8000-00000000c002' },
};

export async function cluster(sb: TestSandbox, cloud: CloudId, which: 'prod' | 'dev') {
  const f = FLEET[cloud][which];
  return {
    info: {
      cloud,
      name: f.cluster,
      scope: f.scope,
      location: f.location,
      clusterId: CLUSTER_IDS[cloud][which],
    },
    // generous limits: the sandbox is local, and tests should not wait on a client-side budget
    client: createKubeClient(await sb.kubeconfig(cloud, which), { qps: 500, burst: 500 }),
  };
}

export async function clustersFor(
  sb: TestSandbox,
  source: CloudId,
  target: CloudId,
): Promise<MigrationClusters> {
  return { source: await cluster(sb, source, 'prod'), target: await cluster(sb, target, 'dev') };
}

export function request(source: CloudId, target: CloudId, over: Partial<MigrationRequestInput> = {}) {
  return migrationRequestSchema.parse({
    sourceClusterId: CLUSTER_IDS[source].prod,
    targetClusterId: CLUSTER_IDS[target].dev,
    namespaces: ['shop'],
    namespaceMap: { shop: `shop-from-${source}` },
    includeSecrets: true,
    copyVolumes: true,
    readyTimeoutSec: 60,
    ...over,
  });
}

export const newId = () => randomUUID();

/** Every object of every listable namespaced kind in one namespace. */
export async function namespaceObjects(client: KubeClient, namespace: string): Promise<KubeObject[]> {
  const catalog = await client.discover({ refresh: true });
  const kinds = catalog.all.filter((r) => r.preferred && r.namespaced && r.verbs.includes('list'));
  return (await Promise.all(kinds.map((r) => client.list(r, { namespace })))).flat();
}

/** The sandbox's write counter per cluster: unchanged means nothing was written. */
export async function resourceVersions(sb: TestSandbox): Promise<Record<string, number>> {
  const state = (await sb.admin('GET', '/_sandbox/state')).json as {
    kube: { id: string; resourceVersion: number }[];
  };
  return Object.fromEntries(state.kube.map((c) => [c.id, c.resourceVersion]));
}

/** sha256 of the files of the demo database, computed from the sandbox's own seed (the truth). */
export function expectedDbChecksums(): Record<string, string> {
  return Object.fromEntries(
    demoDbFiles(0)
      .filter((f) => f.type === 'file')
      .map((f) => [f.path, createHash('sha256').update(f.data).digest('hex')]),
  );
}

/** sha256 of every file under a directory of a running pod, by relative path. */
export async function podChecksums(
  client: KubeClient,
  pod: { namespace: string; name: string; container: string },
  dir: string,
): Promise<Record<string, string>> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const r = await execInPod(client, pod, ['sh', '-c', `cd ${dir} && find . -type f -exec sha256sum {} +`], {
    stdout: out,
  });
  if (r.code !== 0) throw new Error(`sha256sum failed: ${r.stderr}`);
  const sums: Record<string, string> = {};
  for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+(.+)$/.exec(line.trim());
    if (m && m[2] !== '-') sums[m[2]!.replace(/^\.\//, '')] = m[1]!;
  }
  return sums;
}
