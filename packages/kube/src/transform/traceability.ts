/**
 * Rules about the migration itself: workloads whose volumes are copied start at zero replicas (the
 * data must be in place before the first pod opens it), and every object says which migration wrote
 * it and where it came from.
 */
import { MIGRATION_LABEL, REPLICAS_ANNOTATION, SOURCE_ANNOTATION } from '../labels.ts';
import { asArray, asObject, asString, type KubeObject } from '../types.ts';
import { Edit, getAt, podSpecPaths, type TransformContext, type TransformRule } from './rule.ts';

/** Claims a workload mounts or creates from its templates (source names: runs before renameNamespace). */
export function claimsOf(obj: KubeObject, ctx: TransformContext): string[] {
  const ns = obj.metadata.namespace;
  const out = new Set<string>();
  for (const spec of podSpecPaths(obj))
    for (const v of asArray(asObject(getAt(obj, spec)).volumes)) {
      const claim = asString(asObject(asObject(v).persistentVolumeClaim).claimName);
      if (claim && ctx.index.get('v1', 'PersistentVolumeClaim', ns, claim)) out.add(claim);
    }
  if (obj.kind === 'StatefulSet') {
    const sts = obj.metadata.name ?? '';
    for (const t of asArray(asObject(obj.spec).volumeClaimTemplates)) {
      const tpl = asString(asObject(asObject(t).metadata).name);
      if (!tpl) continue;
      const re = new RegExp(
        `^${tpl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-${sts.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+$`,
      );
      for (const o of ctx.index.byKey.values())
        if (
          o.kind === 'PersistentVolumeClaim' &&
          o.metadata.namespace === ns &&
          re.test(o.metadata.name ?? '')
        )
          out.add(o.metadata.name ?? '');
    }
  }
  return [...out].sort();
}

/** Copied volumes get their data before any pod mounts them: hold the workload at zero replicas. */
export const holdWorkloadsForVolumeCopy: TransformRule = (obj, ctx) => {
  const e = new Edit('holdWorkloadsForVolumeCopy', obj);
  if (!ctx.request.copyVolumes) return e.result();
  if (obj.kind !== 'Deployment' && obj.kind !== 'StatefulSet') {
    if ((obj.kind === 'DaemonSet' || obj.kind === 'CronJob') && claimsOf(obj, ctx).length)
      e.warn(
        `${obj.kind} ${obj.metadata.name} mounts a copied volume and cannot be held back; it may start before the data arrives`,
      );
    return e.result();
  }
  const claims = claimsOf(obj, ctx);
  if (!claims.length) return e.result();
  const replicas = asObject(obj.spec).replicas;
  const desired = typeof replicas === 'number' ? replicas : 1;
  e.set(
    ['spec', 'replicas'],
    0,
    `held until ${claims.join(', ')} ${claims.length > 1 ? 'are' : 'is'} copied`,
  );
  e.set(
    ['metadata', 'annotations', REPLICAS_ANNOTATION],
    String(desired),
    'replicas once the data is in place',
  );
  return e.result();
};

export const labelForMigration: TransformRule = (obj, ctx) => {
  const e = new Edit('labelForMigration', obj);
  e.set(['metadata', 'labels', MIGRATION_LABEL], ctx.migrationId);
  const ns = obj.metadata.namespace;
  e.set(
    ['metadata', 'annotations', SOURCE_ANNOTATION],
    `${ctx.source.cloud}/${ctx.source.name}${ns ? `/${ns}` : ''}`,
  );
  return e.result();
};
