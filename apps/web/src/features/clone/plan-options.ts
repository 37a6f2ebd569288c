import type { ClonePlan, ClonePlanItem, JsonValue, NodePoolSpec } from '@dolly/model';
import { labelPath, leftOutPoolPath } from './plan-rows.ts';
import type { CloneOptions } from './wizard-state.ts';

const WIZARD_RULE = 'wizard.override';
/** Label keys the inventory reads a cluster's environment from (apps/worker/src/inventory.ts). */
const ENV_LABEL_KEYS = ['dolly.dev/environment', 'environment', 'env'];
/** Dolly's provenance labels are always carried: they tie the clone to its source and plan. */
const isProvenance = (key: string) => key.startsWith('dolly-');

const clone = <T>(value: T): T => structuredClone(value);

/** Replaces the decisions about `path` with one that records the user's choice and what Dolly had proposed. */
function decide(item: ClonePlanItem, path: string, from: unknown, to: unknown, reason: string) {
  const previous = item.decisions.find((d) => d.path === path);
  item.decisions = item.decisions.filter((d) => d.path !== path);
  item.decisions.push({
    path,
    ...(from === undefined ? {} : { from: from as JsonValue }),
    ...(to === undefined ? {} : { to: to as JsonValue }),
    rule: WIZARD_RULE,
    reason: previous
      ? `${reason} (Dolly proposed ${JSON.stringify(previous.to ?? null)}: ${previous.reason})`
      : reason,
  });
}

function sourcePoolOf(item: ClonePlanItem, targetIndex: number): NodePoolSpec | undefined {
  const pool = item.target.nodePools[targetIndex];
  if (!pool) return undefined;
  const rename = item.decisions.find((d) => d.path === `nodePools[${targetIndex}].name`);
  const name = typeof rename?.from === 'string' ? rename.from : pool.name;
  return item.source.nodePools.find((p) => p.name === name);
}

/** Shifts note paths after target pool `removed` was taken out, and forgets the notes about it. */
function reindexAfterRemoval<T extends { path: string }>(notes: T[], removed: number): T[] {
  const pattern = /^nodePools\[(\d+)\]/;
  return notes.flatMap((n) => {
    const m = pattern.exec(n.path);
    if (!m) return [n];
    const i = Number(m[1]);
    if (i === removed) return [];
    if (i < removed) return [n];
    return [{ ...n, path: n.path.replace(pattern, `nodePools[${i - 1}]`) }];
  });
}

function removePool(item: ClonePlanItem, index: number, sourceName: string) {
  item.target.nodePools.splice(index, 1);
  item.decisions = reindexAfterRemoval(item.decisions, index);
  item.warnings = reindexAfterRemoval(item.warnings, index);
  item.dropped = [
    ...reindexAfterRemoval(item.dropped, index),
    {
      path: leftOutPoolPath(sourceName),
      code: 'wizard.pool-left-out',
      message: 'Left out in the clone wizard',
    },
  ];
}

function applyPoolOptions(item: ClonePlanItem, options: CloneOptions) {
  // Backwards, so removing a pool does not shift the ones still to visit.
  for (let i = item.target.nodePools.length - 1; i >= 0; i--) {
    const pool = item.target.nodePools[i] as NodePoolSpec;
    const source = sourcePoolOf(item, i);
    const override = source ? options.pools[source.name] : undefined;
    const base = `nodePools[${i}]`;
    if (source && override && !override.include) {
      removePool(item, i, source.name);
      continue;
    }
    if (override?.machineType && override.machineType !== pool.machineType) {
      decide(
        item,
        `${base}.machineType`,
        source?.machineType,
        override.machineType,
        'Set in the clone wizard',
      );
      pool.machineType = override.machineType;
    }
    if (override?.nodeCount !== undefined && override.nodeCount !== pool.nodeCount) {
      decide(item, `${base}.nodeCount`, source?.nodeCount, override.nodeCount, 'Set in the clone wizard');
      pool.nodeCount = override.nodeCount;
    }
    if (override?.spot !== undefined && override.spot !== pool.spot) {
      decide(item, `${base}.spot`, source?.spot, override.spot, 'Set in the clone wizard');
      pool.spot = override.spot;
    }
    if (!options.carry.nodeLabels) {
      for (const key of Object.keys(pool.labels)) {
        decide(
          item,
          labelPath(base, key),
          pool.labels[key],
          undefined,
          'Node labels not carried (clone wizard)',
        );
      }
      pool.labels = {};
    }
    if (!options.carry.taints && pool.taints.length) {
      decide(item, `${base}.taints`, source?.taints, [], 'Taints not carried (clone wizard)');
      pool.taints = [];
    }
    if (!options.carry.autoscaling && pool.autoscaling) {
      decide(
        item,
        `${base}.autoscaling`,
        source?.autoscaling,
        undefined,
        'Autoscaling not carried (clone wizard)',
      );
      delete pool.autoscaling;
    }
    if (!options.carry.spot && pool.spot && override?.spot === undefined) {
      decide(item, `${base}.spot`, source?.spot, false, 'Spot capacity not carried (clone wizard)');
      pool.spot = false;
    }
  }
}

function applyClusterOptions(item: ClonePlanItem, options: CloneOptions, targetEnvironment: string | null) {
  const t = item.target;
  if (!options.carry.labels) {
    for (const key of Object.keys(t.labels)) {
      if (isProvenance(key)) continue;
      decide(item, labelPath('', key), t.labels[key], undefined, 'Cluster labels not carried (clone wizard)');
      delete t.labels[key];
    }
  }
  if (targetEnvironment) {
    // A prod source's `env: prod` label would make the inventory call the clone prod again.
    for (const key of ENV_LABEL_KEYS) {
      const value = t.labels[key];
      if (value !== undefined && value !== targetEnvironment) {
        decide(
          item,
          labelPath('', key),
          value,
          targetEnvironment,
          `The clone's environment is ${targetEnvironment}`,
        );
        t.labels[key] = targetEnvironment;
      }
    }
    if (t.environment !== targetEnvironment) {
      decide(
        item,
        'environment',
        item.source.environment,
        targetEnvironment,
        'Target environment chosen in the clone wizard',
      );
      t.environment = targetEnvironment;
    }
  }
}

/**
 * The wizard's options applied to a plan the API made: pool overrides (left out, machine type,
 * count, spot), what not to carry, and the target environment. Every change is recorded as a
 * decision (rule `wizard.override`) next to what Dolly had proposed, so the plan still explains
 * every field. Returns the same plan object when nothing changes.
 */
export function applyWizardOptions(
  plan: ClonePlan,
  options: CloneOptions,
  targetEnvironment: string | null,
): ClonePlan {
  const next = clone(plan);
  for (const item of next.items) {
    applyPoolOptions(item, options);
    applyClusterOptions(item, options, targetEnvironment);
  }
  return JSON.stringify(next) === JSON.stringify(plan) ? plan : next;
}
