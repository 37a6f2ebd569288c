/**
 * Storage class mapping in claims and StatefulSet claim templates: the request's map first, then
 * the per-cloud-pair default (same family: standard, premium, shared), then the same name if the
 * target has it, then the target's default class with a warning. Preflight checks the result exists.
 */
import { asArray, asObject, asString } from '../types.ts';
import { defaultStorageClass } from './cloud.ts';
import { Edit, type PathSegment, type TransformContext, type TransformRule } from './rule.ts';

const BETA_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export interface StorageClassChoice {
  to: string;
  why: string;
  warning?: string;
}

export function chooseStorageClass(from: string, ctx: TransformContext): StorageClassChoice {
  const override = ctx.request.storageClassMap?.[from];
  if (override) return { to: override, why: 'storageClassMap' };
  const facts = ctx.targetFacts;
  const pairDefault = defaultStorageClass(ctx.source.cloud, ctx.target.cloud, from);
  if (
    pairDefault &&
    (ctx.source.cloud !== ctx.target.cloud || !facts || facts.storageClasses.some((s) => s.name === from))
  )
    return {
      to: pairDefault,
      why:
        ctx.source.cloud === ctx.target.cloud
          ? 'same cloud'
          : `default for ${ctx.source.cloud}→${ctx.target.cloud}`,
    };
  if (!facts || facts.storageClasses.some((s) => s.name === from))
    return { to: from, why: 'exists in the target' };
  // An imported cluster's classes mean nothing Dolly knows: say so instead of guessing a default.
  if (ctx.source.cloud === 'kubernetes' || ctx.target.cloud === 'kubernetes')
    return {
      to: from,
      why: 'no mapping for an imported cluster',
      warning: `storage class ${from} has no known counterpart between ${ctx.source.cloud === 'kubernetes' ? 'an imported cluster' : ctx.source.cloud} and ${ctx.target.cloud === 'kubernetes' ? 'an imported cluster' : ctx.target.cloud}; storage classes of imported clusters are only mapped explicitly`,
    };
  const dflt = facts.storageClasses.find((s) => s.isDefault);
  if (dflt)
    return {
      to: dflt.name,
      why: "the target's default class",
      warning: `storage class ${from} has no counterpart on ${ctx.target.cloud}; using the target's default class ${dflt.name}`,
    };
  return {
    to: from,
    why: 'no mapping',
    warning: `storage class ${from} has no counterpart on ${ctx.target.cloud}`,
  };
}

export const mapStorageClass: TransformRule = (obj, ctx) => {
  const e = new Edit('mapStorageClass', obj);
  const claims: PathSegment[][] = [];
  if (obj.kind === 'PersistentVolumeClaim') claims.push([]);
  if (obj.kind === 'StatefulSet')
    asArray(asObject(obj.spec).volumeClaimTemplates).forEach((_, i) => {
      claims.push(['spec', 'volumeClaimTemplates', i]);
    });
  for (const base of claims) {
    const beta = asString(e.get([...base, 'metadata', 'annotations', BETA_ANNOTATION]));
    const current = asString(e.get([...base, 'spec', 'storageClassName'])) ?? beta;
    // no class: the target's default applies; "" asks for static binding to a pre-made volume
    if (current === undefined || current === '') continue;
    const choice = chooseStorageClass(current, ctx);
    if (beta !== undefined)
      e.remove([...base, 'metadata', 'annotations', BETA_ANNOTATION], 'deprecated; moved to spec');
    e.set([...base, 'spec', 'storageClassName'], choice.to, choice.why);
    if (choice.warning) e.warn(choice.warning, 'set storageClassMap to choose the class');
  }
  return e.result();
};
