/**
 * Verify: the migrated workloads are Ready on the target within the deadline, judged the way
 * `kubectl rollout status` does (observed generation, updated and ready replicas). A workload still
 * held for its volume copy is not Ready, whatever its zero replicas say.
 */
import type { WorkloadResult } from '@dolly/contracts';
import type { KubeClient } from './client.ts';
import { emit, pause, type StepOptions } from './context.ts';
import { REPLICAS_ANNOTATION } from './labels.ts';
import {
  asArray,
  asObject,
  asString,
  describeRef,
  isObject,
  type KubeObject,
  type ObjectRef,
} from './types.ts';

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

/** Whether one workload is rolled out and Ready, with the numbers that say so. */
export function workloadReadiness(o: KubeObject): {
  ready: boolean;
  replicas: number;
  readyReplicas: number;
  reason?: string;
} {
  const spec = asObject(o.spec);
  const st = asObject(o.status);
  const held = o.metadata.annotations?.[REPLICAS_ANNOTATION];
  const observed = num(st.observedGeneration) >= num(o.metadata.generation);
  if (o.kind === 'DaemonSet') {
    const desired = num(st.desiredNumberScheduled);
    const ready = num(st.numberReady);
    const ok = observed && ready >= desired && num(st.updatedNumberScheduled) >= desired;
    return {
      ready: ok,
      replicas: desired,
      readyReplicas: ready,
      ...(ok ? {} : { reason: `${ready}/${desired} pods ready` }),
    };
  }
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const readyReplicas = num(st.readyReplicas);
  if (held !== undefined)
    return {
      ready: false,
      replicas: Number(held),
      readyReplicas,
      reason: 'held at zero replicas until its volume data is copied',
    };
  const updated = num(st.updatedReplicas);
  const ok =
    observed &&
    readyReplicas >= replicas &&
    updated >= replicas &&
    (o.kind !== 'Deployment' || num(st.availableReplicas) >= replicas);
  return {
    ready: ok,
    replicas,
    readyReplicas,
    ...(ok ? {} : { reason: `${readyReplicas}/${replicas} replicas ready` }),
  };
}

/** Why the pods of a workload are not Ready, from the first pod that says so. */
async function podReason(
  client: KubeClient,
  o: KubeObject,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const match = asObject(asObject(asObject(o.spec).selector).matchLabels);
  if (!Object.keys(match).length) return undefined;
  const catalog = await client.discover(signal ? { signal } : {});
  const pods = catalog.preferred('', 'Pod');
  if (!pods) return undefined;
  const list = await client.list(pods, {
    namespace: o.metadata.namespace ?? 'default',
    labelSelector: Object.entries(match)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(','),
    ...(signal ? { signal } : {}),
  });
  for (const p of list) {
    const st = asObject(p.status);
    for (const c of asArray(st.conditions)) {
      if (!isObject(c) || c.status === 'True') continue;
      if (c.type === 'PodScheduled' && c.message) return `pod ${p.metadata.name}: ${asString(c.message)}`;
    }
    for (const cs of asArray(st.containerStatuses)) {
      const waiting = asObject(asObject(asObject(cs).state).waiting);
      if (waiting.reason)
        return `pod ${p.metadata.name}: ${asString(waiting.reason)}${waiting.message ? ` (${asString(waiting.message)})` : ''}`;
    }
  }
  return list.length ? undefined : 'no pods';
}

export interface VerifyOptions extends StepOptions {
  timeoutMs: number;
  pollMs?: number;
}

export async function verifyWorkloads(
  client: KubeClient,
  refs: ObjectRef[],
  opts: VerifyOptions,
): Promise<WorkloadResult[]> {
  const targets = refs.filter((r) => WORKLOAD_KINDS.has(r.kind));
  const deadline = Date.now() + opts.timeoutMs;
  let pollMs = opts.pollMs ?? 250;
  const results = new Map<string, WorkloadResult>();
  for (;;) {
    const pending = targets.filter((r) => !results.get(describeRef(r))?.ready);
    await Promise.all(
      pending.map(async (ref) => {
        const live = await client.get(ref, opts.signal);
        const r = live
          ? workloadReadiness(live)
          : { ready: false, replicas: 0, readyReplicas: 0, reason: 'not found in the target' };
        results.set(describeRef(ref), { ref, ...r });
      }),
    );
    const ready = targets.filter((r) => results.get(describeRef(r))?.ready).length;
    opts.onProgress?.({ phase: 'verify', done: ready, total: targets.length });
    if (ready === targets.length || Date.now() >= deadline) break;
    await pause(opts, Math.min(pollMs, Math.max(0, deadline - Date.now())));
    pollMs = Math.min(pollMs * 1.5, 5000);
  }
  // name the cause for what is still not Ready
  for (const ref of targets) {
    const r = results.get(describeRef(ref))!;
    if (r.ready) continue;
    const live = await client.get(ref, opts.signal);
    const why =
      live && !live.metadata.annotations?.[REPLICAS_ANNOTATION]
        ? await podReason(client, live, opts.signal)
        : undefined;
    if (why) r.reason = `${r.reason ?? 'not ready'}: ${why}`;
    emit(opts, 'warn', `${describeRef(ref)} is not Ready: ${r.reason}`, { ref });
  }
  return targets.map((r) => results.get(describeRef(r))!);
}
