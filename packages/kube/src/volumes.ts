/**
 * Volume data: for each migrated claim, a mover pod on each side mounts the claim; `tar` streams the
 * files from the source pod through this process into the target pod over the exec API, throttled
 * to the requested bandwidth; `sha256sum` on both sides proves every file arrived intact. Workloads
 * held at zero replicas start once their data is in place. With cutover, the source workloads are
 * scaled down and a final sync runs first (stop and sync).
 */
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { PlannedVolume, VolumeResult } from '@dolly/contracts';
import type { KubeClient } from './client.ts';
import { emit, type MigrationClusters, pause, type StepOptions } from './context.ts';
import { execInPod } from './exec-stream.ts';
import type { MigrationPlan } from './dry-run.ts';
import { CUTOVER_ANNOTATION, MIGRATION_LABEL, MOVER_LABEL, REPLICAS_ANNOTATION } from './labels.ts';
import {
  asArray,
  asObject,
  asString,
  describeRef,
  isObject,
  type KubeObject,
  type ObjectRef,
  refKey,
} from './types.ts';
import { MOUNT, streamVolumeData } from './volume-stream.ts';

export { execInPod } from './exec-stream.ts';
export { throttle } from './volume-stream.ts';

export const DEFAULT_MOVER_IMAGE = 'busybox:1.36';

export interface VolumeCopyOptions extends StepOptions {
  migrationId: string;
  /** an image with sh, tar, find and sha256sum (busybox has all four) */
  moverImage?: string;
  bandwidthBytesPerSec?: number;
  podReadyTimeoutMs?: number;
}

export interface VolumeReport {
  volumes: VolumeResult[];
  /** target workloads started once their data arrived */
  started: ObjectRef[];
  /** source workloads a cutover scaled down */
  scaledDown: ObjectRef[];
}

function shortHash(s: string, n = 10): string {
  return createHash('sha256').update(s).digest('hex').slice(0, n);
}

export function moverPodName(side: 'source' | 'target', claim: ObjectRef, migrationId: string): string {
  return `dolly-mover-${side}-${shortHash(`${claim.namespace}/${claim.name}/${migrationId}`)}`;
}

/** The mover pod: sleeps until it is exec'd into; root so tar keeps owners and modes. */
export function moverPod(opts: {
  side: 'source' | 'target';
  claim: ObjectRef;
  migrationId: string;
  image: string;
  node?: string;
}): KubeObject {
  const readOnly = opts.side === 'source';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: moverPodName(opts.side, opts.claim, opts.migrationId),
      namespace: opts.claim.namespace ?? 'default',
      labels: { [MIGRATION_LABEL]: opts.migrationId, [MOVER_LABEL]: opts.side },
    },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      // a ReadWriteOnce volume can only be mounted a second time on the node that has it attached
      ...(opts.node ? { nodeSelector: { 'kubernetes.io/hostname': opts.node } } : {}),
      tolerations: [{ operator: 'Exists' }],
      securityContext: { runAsUser: 0, runAsGroup: 0 },
      containers: [
        {
          name: 'mover',
          image: opts.image,
          command: ['sh', '-c', 'trap "exit 0" TERM; sleep 86400 & wait'],
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
          volumeMounts: [{ name: 'data', mountPath: MOUNT, readOnly }],
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: opts.claim.name, readOnly } }],
    },
  };
}

/** sha256 of every regular file under the mount, by relative path. */
export async function checksums(
  client: KubeClient,
  pod: { namespace: string; name: string },
  signal?: AbortSignal,
) {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  const r = await execInPod(
    client,
    pod,
    ['sh', '-c', `cd ${MOUNT} && find . -type f -exec sha256sum {} +`],
    { stdout: out },
    signal,
  );
  if (r.code !== 0) throw new Error(`sha256sum in ${pod.name} failed (exit ${r.code}): ${r.stderr.trim()}`);
  const sums = new Map<string, string>();
  for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    // `sha256sum` with no file arguments hashes stdin and prints "-": not a file of the volume
    if (m && m[2] !== '-') sums.set(m[2]!.replace(/^\.\//, ''), m[1]!);
  }
  return sums;
}

async function ensurePod(client: KubeClient, pod: KubeObject, signal?: AbortSignal): Promise<void> {
  const ref = {
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: pod.metadata.namespace,
    name: pod.metadata.name ?? '',
  };
  const live = await client.get(ref, signal);
  const phase = asString(asObject(live?.status).phase);
  if (live && (phase === 'Failed' || phase === 'Succeeded'))
    await client.delete(ref, { ...(signal ? { signal } : {}) });
  else if (live) return;
  await client.create(pod, signal ? { signal } : {});
}

async function waitRunning(
  client: KubeClient,
  ns: string,
  name: string,
  timeoutMs: number,
  opts: Pick<StepOptions, 'signal' | 'idle'>,
) {
  const signal = opts.signal;
  const deadline = Date.now() + timeoutMs;
  let wait = 100;
  let last = 'not created';
  while (Date.now() < deadline) {
    const pod = await client.get({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name }, signal);
    const st = asObject(pod?.status);
    const ready = asArray(st.conditions).some(
      (c) => isObject(c) && c.type === 'Ready' && c.status === 'True',
    );
    if (st.phase === 'Running' && ready) return;
    if (st.phase === 'Failed') throw new Error(`mover pod ${ns}/${name} failed`);
    const cond = asArray(st.conditions)
      .map(asObject)
      .find((c) => c.status !== 'True' && c.message);
    last = asString(cond?.message) ?? asString(st.phase) ?? 'pending';
    await pause(opts, wait);
    wait = Math.min(wait * 1.5, 2000);
  }
  throw new Error(`mover pod ${ns}/${name} did not start in ${Math.round(timeoutMs / 1000)}s: ${last}`);
}

/** The node a running pod that mounts the claim is on (where a ReadWriteOnce disk is attached). */
async function nodeUsingClaim(
  client: KubeClient,
  claim: ObjectRef,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const catalog = await client.discover(signal ? { signal } : {});
  const pods = catalog.preferred('', 'Pod');
  if (!pods) return undefined;
  for (const p of await client.list(pods, {
    namespace: claim.namespace ?? 'default',
    ...(signal ? { signal } : {}),
  })) {
    if (p.metadata.labels?.[MOVER_LABEL]) continue;
    const spec = asObject(p.spec);
    const mounts = asArray(spec.volumes).some(
      (v) => asString(asObject(asObject(v).persistentVolumeClaim).claimName) === claim.name,
    );
    const node = asString(spec.nodeName);
    if (mounts && node && asObject(p.status).phase === 'Running') return node;
  }
  return undefined;
}

/** Copies one claim's files source → target and verifies them. */
export async function copyVolume(
  clusters: MigrationClusters,
  volume: Pick<PlannedVolume, 'source' | 'target'>,
  opts: VolumeCopyOptions,
  progress: (bytes: number) => void = () => {},
): Promise<VolumeResult> {
  const { source, target } = clusters;
  const signal = opts.signal;
  const base = { source: volume.source, target: volume.target };
  const image = opts.moverImage ?? DEFAULT_MOVER_IMAGE;
  const timeout = opts.podReadyTimeoutMs ?? 300_000;
  const srcPod = moverPod({ side: 'source', claim: volume.source, migrationId: opts.migrationId, image });
  const dstPod = moverPod({ side: 'target', claim: volume.target, migrationId: opts.migrationId, image });
  const srcRef = { namespace: volume.source.namespace ?? 'default', name: srcPod.metadata.name ?? '' };
  const dstRef = { namespace: volume.target.namespace ?? 'default', name: dstPod.metadata.name ?? '' };
  try {
    const srcClaim = await source.client.get(volume.source, signal);
    if (asObject(srcClaim?.status).phase !== 'Bound')
      throw new Error(`source claim ${describeRef(volume.source)} is not bound`);
    if (!(await target.client.get(volume.target, signal)))
      throw new Error(`target claim ${describeRef(volume.target)} does not exist; apply the migration first`);
    const node = await nodeUsingClaim(source.client, volume.source, signal);
    await Promise.all([
      ensurePod(
        source.client,
        node
          ? moverPod({ side: 'source', claim: volume.source, migrationId: opts.migrationId, image, node })
          : srcPod,
        signal,
      ),
      ensurePod(target.client, dstPod, signal),
    ]);
    await Promise.all([
      waitRunning(source.client, srcRef.namespace, srcRef.name, timeout, opts),
      waitRunning(target.client, dstRef.namespace, dstRef.name, timeout, opts),
    ]);
    const [before, targetBefore] = await Promise.all([
      checksums(source.client, srcRef, signal),
      checksums(target.client, dstRef, signal),
    ]);
    if (before.size && [...before].every(([path, sum]) => targetBefore.get(path) === sum)) {
      emit(opts, 'info', `${describeRef(volume.target)} already holds the same ${before.size} files`);
      return { ...base, result: 'in_sync', bytes: 0, files: before.size, verified: true };
    }
    emit(
      opts,
      'info',
      `Copying ${describeRef(volume.source)} → ${describeRef(volume.target)} (${before.size} files)`,
    );
    const bytes = await streamVolumeData(
      { client: source.client, pod: srcRef },
      { client: target.client, pod: dstRef },
      {
        ...(opts.bandwidthBytesPerSec ? { bandwidthBytesPerSec: opts.bandwidthBytesPerSec } : {}),
        ...(signal ? { signal } : {}),
      },
      progress,
    );
    const after = await checksums(target.client, dstRef, signal);
    const bad = [...before].filter(([path, sum]) => after.get(path) !== sum).map(([p]) => p);
    if (bad.length)
      return {
        ...base,
        result: 'failed',
        bytes,
        files: before.size,
        verified: false,
        reason: `checksum mismatch: ${bad.slice(0, 10).join(', ')}`,
      };
    emit(
      opts,
      'info',
      `${describeRef(volume.target)}: ${before.size} files, ${bytes} bytes, sha256 verified`,
    );
    return { ...base, result: 'copied', bytes, files: before.size, verified: true };
  } catch (e) {
    signal?.throwIfAborted();
    return {
      ...base,
      result: 'failed',
      bytes: 0,
      files: 0,
      verified: false,
      reason: e instanceof Error ? e.message : String(e),
    };
  } finally {
    // movers are throwaway: never leave them holding a volume
    await Promise.allSettled([
      source.client.delete({ apiVersion: 'v1', kind: 'Pod', ...srcRef }),
      target.client.delete({ apiVersion: 'v1', kind: 'Pod', ...dstRef }),
    ]);
  }
}

async function scaleDownSource(
  clusters: MigrationClusters,
  refs: ObjectRef[],
  opts: VolumeCopyOptions,
): Promise<ObjectRef[]> {
  const client = clusters.source.client;
  const done: ObjectRef[] = [];
  for (const ref of refs) {
    if (ref.kind !== 'Deployment' && ref.kind !== 'StatefulSet') continue;
    const live = await client.get(ref, opts.signal);
    if (!live) continue;
    const mark = live.metadata.annotations?.[CUTOVER_ANNOTATION];
    const replicas = asObject(live.spec).replicas;
    // a retried cutover keeps the replica count recorded the first time
    const record = mark?.startsWith(`${opts.migrationId}:`)
      ? mark
      : `${opts.migrationId}:${typeof replicas === 'number' ? replicas : 1}`;
    await client.mergePatch(
      ref,
      { metadata: { annotations: { [CUTOVER_ANNOTATION]: record } }, spec: { replicas: 0 } },
      opts.signal,
    );
    emit(opts, 'info', `Cutover: scaled ${describeRef(ref)} in the source to 0`);
    done.push(ref);
  }
  // the final sync must not race a pod still writing
  const deadline = Date.now() + 300_000;
  for (const ref of done)
    for (;;) {
      const live = await client.get(ref, opts.signal);
      const st = asObject(live?.status);
      if (!live || (typeof st.replicas === 'number' ? st.replicas : 0) === 0) break;
      if (Date.now() > deadline) throw new Error(`${describeRef(ref)} did not scale down in the source`);
      await pause(opts, 250);
    }
  return done;
}

/** Target workloads held at zero replicas get their replicas once none of their volumes failed. */
async function startHeldWorkloads(
  plan: MigrationPlan,
  clusters: MigrationClusters,
  results: VolumeResult[],
  opts: VolumeCopyOptions,
): Promise<ObjectRef[]> {
  const failed = new Set(results.filter((r) => r.result === 'failed').map((r) => refKey(r.source)));
  const started: ObjectRef[] = [];
  for (const o of plan.objects) {
    const held = asObject(asObject(o.object.metadata).annotations)[REPLICAS_ANNOTATION];
    if (typeof held !== 'string') continue;
    const blockedBy = plan.volumes.filter(
      (v) => failed.has(refKey(v.source)) && v.usedBy.some((u) => refKey(u) === refKey(o.source)),
    );
    if (blockedBy.length) {
      emit(
        opts,
        'warn',
        `${describeRef(o.target)} stays at zero replicas: ${blockedBy.map((v) => describeRef(v.source)).join(', ')} did not copy`,
      );
      continue;
    }
    const live = await clusters.target.client.get(o.target, opts.signal);
    const replicas = live?.metadata.annotations?.[REPLICAS_ANNOTATION];
    if (!live || replicas === undefined) continue;
    await clusters.target.client.mergePatch(
      o.target,
      { metadata: { annotations: { [REPLICAS_ANNOTATION]: null } }, spec: { replicas: Number(replicas) } },
      opts.signal,
    );
    emit(opts, 'info', `Started ${describeRef(o.target)} with ${replicas} replicas`);
    started.push(o.target);
  }
  return started;
}

export async function copyPlanVolumes(
  plan: MigrationPlan,
  clusters: MigrationClusters,
  opts: VolumeCopyOptions,
): Promise<VolumeReport> {
  const report: VolumeReport = { volumes: [], started: [], scaledDown: [] };
  if (!plan.request.copyVolumes) return report;
  const volumes = plan.volumes.filter((v) => v.bound);
  const bandwidth = opts.bandwidthBytesPerSec ?? plan.request.bandwidthBytesPerSec;
  const o = { ...opts, ...(bandwidth ? { bandwidthBytesPerSec: bandwidth } : {}) };
  let base = 0;
  const pass = async (label: string) => {
    const out: VolumeResult[] = [];
    // one volume at a time: the bandwidth cap is for the whole migration, not per stream
    for (const [i, v] of volumes.entries()) {
      const r = await copyVolume(clusters, v, o, (bytes) =>
        opts.onProgress?.({
          phase: 'volumes',
          done: i,
          total: volumes.length,
          bytes: base + bytes,
          item: `${label} ${describeRef(v.source)}`,
        }),
      );
      base += r.bytes;
      opts.onProgress?.({ phase: 'volumes', done: i + 1, total: volumes.length, bytes: base });
      if (r.result === 'failed') emit(opts, 'error', `${describeRef(v.source)}: ${r.reason}`);
      out.push(r);
    }
    return out;
  };
  let results = await pass('copy');
  if (plan.request.cutover && volumes.length) {
    const users = dedupe(volumes.flatMap((v) => v.usedBy));
    report.scaledDown = await scaleDownSource(clusters, users, o);
    const final = await pass('final sync');
    // the final pass decides success; bytes add up over both passes
    results = final.map((r, i) => {
      const first = results[i];
      const copied = r.result === 'copied' || first?.result === 'copied';
      return {
        ...r,
        result: r.result === 'failed' ? 'failed' : copied ? 'copied' : 'in_sync',
        bytes: r.bytes + (first?.bytes ?? 0),
      };
    });
  }
  report.volumes = results;
  report.started = await startHeldWorkloads(plan, clusters, results, o);
  return report;
}

function dedupe(refs: ObjectRef[]): ObjectRef[] {
  const seen = new Map(refs.map((r) => [refKey(r), r]));
  return [...seen.values()];
}
