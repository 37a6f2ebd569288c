/**
 * The transform pipeline: skip rules first, then each named rule in order. Deterministic: the same
 * export and context always give the same objects and the same change records.
 */
import type { KubeObject, MigrationWarning, ObjectRef } from '../types.ts';
import { toRef } from '../types.ts';
import { rewriteWorkloadIdentity } from './identity.ts';
import { mapImageRegistries, rewritePullSecrets } from './images.ts';
import { renameNamespace } from './namespace.ts';
import { rewriteIngress, rewriteServiceLoadBalancer } from './network.ts';
import {
  buildIndex,
  type ObjectIndex,
  type RuleResult,
  type TransformContext,
  type TransformRule,
} from './rule.ts';
import { rewriteNodeSelection } from './scheduling.ts';
import { SKIP_RULES } from './skip.ts';
import { mapStorageClass } from './storage.ts';
import {
  stripControllerLabels,
  stripOwnerReferences,
  stripPodNodeName,
  stripPvcBinding,
  stripServerFields,
  stripServiceAllocations,
} from './strip.ts';
import { holdWorkloadsForVolumeCopy, labelForMigration } from './traceability.ts';

/**
 * Rule order matters once: renameNamespace runs last, so every other rule sees (and looks up
 * neighbours by) the source namespace.
 */
export const TRANSFORM_RULES: [name: string, rule: TransformRule][] = [
  ['stripServerFields', stripServerFields],
  ['stripOwnerReferences', stripOwnerReferences],
  ['stripControllerLabels', stripControllerLabels],
  ['stripServiceAllocations', stripServiceAllocations],
  ['stripPodNodeName', stripPodNodeName],
  ['stripPvcBinding', stripPvcBinding],
  ['mapStorageClass', mapStorageClass],
  ['rewriteServiceLoadBalancer', rewriteServiceLoadBalancer],
  ['rewriteIngress', rewriteIngress],
  ['rewriteNodeSelection', rewriteNodeSelection],
  ['rewriteWorkloadIdentity', rewriteWorkloadIdentity],
  ['mapImageRegistries', mapImageRegistries],
  ['rewritePullSecrets', rewritePullSecrets],
  ['holdWorkloadsForVolumeCopy', holdWorkloadsForVolumeCopy],
  ['labelForMigration', labelForMigration],
  ['renameNamespace', renameNamespace],
];

export interface TransformedObject {
  source: ObjectRef;
  object: KubeObject;
  changes: RuleResult['changes'];
  warnings: MigrationWarning[];
}

export interface SkippedByRule {
  ref: ObjectRef;
  rule: string;
  reason: string;
}

export interface TransformOutput {
  objects: TransformedObject[];
  skipped: SkippedByRule[];
  warnings: MigrationWarning[];
}

export type TransformSettings = Omit<TransformContext, 'index'>;

export function skipReason(
  obj: KubeObject,
  ctx: TransformContext,
): { rule: string; reason: string } | undefined {
  for (const [rule, fn] of Object.entries(SKIP_RULES)) {
    const reason = fn(obj, ctx);
    if (reason) return { rule, reason };
  }
  return undefined;
}

export function transformObject(obj: KubeObject, ctx: TransformContext): TransformedObject {
  let current = obj;
  const changes: RuleResult['changes'] = [];
  const warnings: MigrationWarning[] = [];
  for (const [, rule] of TRANSFORM_RULES) {
    const r = rule(current, ctx);
    current = r.object;
    changes.push(...r.changes);
    warnings.push(...r.warnings);
  }
  return { source: toRef(obj), object: current, changes, warnings };
}

export function transformObjects(
  objects: KubeObject[],
  settings: TransformSettings,
  index?: ObjectIndex,
): TransformOutput {
  const ctx: TransformContext = { ...settings, index: index ?? buildIndex(objects) };
  const out: TransformOutput = { objects: [], skipped: [], warnings: [] };
  for (const obj of objects) {
    const skip = skipReason(obj, ctx);
    if (skip) {
      out.skipped.push({ ref: toRef(obj), ...skip });
      continue;
    }
    const t = transformObject(obj, ctx);
    out.objects.push(t);
    out.warnings.push(...t.warnings);
  }
  return out;
}

export { buildIndex, type ObjectIndex, type TargetFacts, type TransformContext } from './rule.ts';
