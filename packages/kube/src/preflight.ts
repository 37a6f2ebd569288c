/**
 * Preflight: what must hold in the target before anything is written. Pure: the caller gathers the
 * facts (discovery, existing Secrets), this decides. A failing check stops apply; a warning is
 * shown in the dry run and the run's events.
 */
import type { PreflightCheck } from '@dolly/contracts';
import type { ResourceCatalog } from './client.ts';
import { INGRESS_CLASSES } from './transform/cloud.ts';
import type { TargetFacts } from './transform/rule.ts';
import { podSpecPaths, getAt } from './transform/rule.ts';
import {
  asArray,
  asObject,
  asString,
  type ClusterCloud,
  groupOf,
  type KubeObject,
  type ObjectRef,
  toRef,
} from './types.ts';

export interface PreflightInput {
  /** transformed objects, as they would be written */
  objects: KubeObject[];
  facts: TargetFacts;
  catalog: Pick<ResourceCatalog, 'find'>;
  targetCloud: ClusterCloud;
  /** same cluster: source and target namespaces must differ */
  sameCluster: boolean;
  namespaces: { source: string; target: string }[];
  /** `namespace/name` of Secrets that exist in the target */
  targetSecrets: Set<string>;
  includeSecrets: boolean;
}

export interface PreflightResult {
  ok: boolean;
  checks: PreflightCheck[];
}

function check(
  name: string,
  status: PreflightCheck['status'],
  message: string,
  refs?: ObjectRef[],
): PreflightCheck {
  return { name, status, message, ...(refs?.length ? { refs: refs.slice(0, 50) } : {}) };
}

function storageClassesUsed(o: KubeObject): string[] {
  if (o.kind === 'PersistentVolumeClaim') {
    const sc = asString(asObject(o.spec).storageClassName);
    return sc ? [sc] : [];
  }
  if (o.kind === 'StatefulSet')
    return asArray(asObject(o.spec).volumeClaimTemplates)
      .map((t) => asString(asObject(asObject(t).spec).storageClassName))
      .filter((s): s is string => !!s);
  return [];
}

function ingressClassOf(o: KubeObject): string | undefined {
  return (
    asString(asObject(o.spec).ingressClassName) ?? o.metadata.annotations?.['kubernetes.io/ingress.class']
  );
}

/** Secrets a pod spec needs to start (volumes, env, envFrom, pull secrets). */
export function secretRefs(o: KubeObject): string[] {
  const out = new Set<string>();
  for (const path of podSpecPaths(o)) {
    const spec = asObject(getAt(o, path));
    for (const v of asArray(spec.volumes)) {
      const s = asObject(asObject(v).secret);
      if (s.secretName && s.optional !== true) out.add(String(s.secretName));
    }
    for (const ps of asArray(spec.imagePullSecrets)) {
      const n = asString(asObject(ps).name);
      if (n) out.add(n);
    }
    for (const list of ['initContainers', 'containers'])
      for (const c of asArray(spec[list]).map(asObject)) {
        for (const ef of asArray(c.envFrom).map(asObject)) {
          const r = asObject(ef.secretRef);
          if (r.name && r.optional !== true) out.add(String(r.name));
        }
        for (const e of asArray(c.env).map(asObject)) {
          const r = asObject(asObject(e.valueFrom).secretKeyRef);
          if (r.name && r.optional !== true) out.add(String(r.name));
        }
      }
  }
  return [...out];
}

function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function runPreflight(input: PreflightInput): PreflightResult {
  const checks: PreflightCheck[] = [];
  const { objects, facts } = input;

  if (input.sameCluster) {
    const same = input.namespaces.filter((n) => n.source === n.target);
    checks.push(
      same.length
        ? check(
            'distinct-target',
            'fail',
            `source and target are the same namespace: ${same.map((n) => n.source).join(', ')}; map them to new names`,
          )
        : check('distinct-target', 'pass', 'every namespace gets a new name in the same cluster'),
    );
  }

  // Served APIs: kinds the target does not serve, unless a CRD of this migration defines them.
  const crdKinds = new Set(
    objects
      .filter((o) => o.kind === 'CustomResourceDefinition')
      .map((o) => `${asString(asObject(o.spec).group)}/${asString(asObject(asObject(o.spec).names).kind)}`),
  );
  const unserved = objects.filter(
    (o) => !input.catalog.find(o.apiVersion, o.kind) && !crdKinds.has(`${groupOf(o.apiVersion)}/${o.kind}`),
  );
  const unservedKinds = [...new Set(unserved.map((o) => `${o.kind} (${o.apiVersion})`))];
  checks.push(
    unserved.length
      ? check(
          'served-apis',
          'fail',
          `the target does not serve ${unservedKinds.join(', ')}`,
          unserved.map(toRef),
        )
      : check('served-apis', 'pass', 'the target serves every kind in the migration'),
  );

  const classes = new Set(facts.storageClasses.map((s) => s.name));
  const missingSc = objects.filter((o) => storageClassesUsed(o).some((s) => !classes.has(s)));
  const missingScNames = [...new Set(missingSc.flatMap(storageClassesUsed).filter((s) => !classes.has(s)))];
  checks.push(
    missingSc.length
      ? check(
          'storage-classes',
          'fail',
          `storage class ${missingScNames.join(', ')} does not exist in the target (it has ${[...classes].join(', ') || 'none'}); set storageClassMap`,
          missingSc.map(toRef),
        )
      : check('storage-classes', 'pass', 'every storage class exists in the target'),
  );

  const ingressClasses = new Set(facts.ingressClasses.map((c) => c.name));
  // GKE's built-in classes are annotations its controller reads, with or without an IngressClass object
  if (input.targetCloud === 'gcp') for (const c of INGRESS_CLASSES.gcp.known) ingressClasses.add(c);
  const missingIc = objects.filter((o) => {
    if (o.kind !== 'Ingress') return false;
    const c = ingressClassOf(o);
    return c === undefined ? !facts.ingressClasses.some((x) => x.isDefault) : !ingressClasses.has(c);
  });
  checks.push(
    missingIc.length
      ? check(
          'ingress-classes',
          'fail',
          `ingress class ${[...new Set(missingIc.map((o) => ingressClassOf(o) ?? '(default)'))].join(', ')} does not exist in the target; set ingressClassMap`,
          missingIc.map(toRef),
        )
      : check('ingress-classes', 'pass', 'every Ingress has a class the target serves'),
  );

  const unschedulable: ObjectRef[] = [];
  const unmatched = new Set<string>();
  for (const o of objects)
    for (const path of podSpecPaths(o)) {
      const sel = asObject(asObject(getAt(o, path)).nodeSelector) as Record<string, string>;
      if (!Object.keys(sel).length) continue;
      if (!facts.nodes.some((n) => selectorMatches(sel, n.labels))) {
        unschedulable.push(toRef(o));
        for (const [k, v] of Object.entries(sel)) unmatched.add(`${k}=${v}`);
      }
    }
  checks.push(
    unschedulable.length
      ? check(
          'node-selection',
          'warn',
          `no target node has ${[...unmatched].join(', ')}; these pods will stay Pending until such nodes exist`,
          unschedulable,
        )
      : check('node-selection', 'pass', 'every node selector matches a target node'),
  );

  const migrated = new Set(
    objects.filter((o) => o.kind === 'Secret').map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
  );
  const missingSecrets = new Set<string>();
  const needSecrets: ObjectRef[] = [];
  for (const o of objects)
    for (const name of secretRefs(o)) {
      const key = `${o.metadata.namespace}/${name}`;
      if (migrated.has(key) || input.targetSecrets.has(key)) continue;
      missingSecrets.add(key);
      needSecrets.push(toRef(o));
    }
  checks.push(
    missingSecrets.size
      ? check(
          'secrets',
          'warn',
          `Secret ${[...missingSecrets].join(', ')} is used by workloads but ${input.includeSecrets ? 'not part of the migration' : 'not copied (includeSecrets is off)'} and not in the target; those pods will not start until it exists`,
          needSecrets,
        )
      : check('secrets', 'pass', 'every Secret the workloads use is migrated or exists in the target'),
  );

  const existing = input.namespaces.filter((n) => facts.namespaces.includes(n.target));
  checks.push(
    existing.length
      ? check(
          'namespaces',
          'warn',
          `namespace ${existing.map((n) => n.target).join(', ')} already exists in the target; existing objects are skipped or updated as requested`,
        )
      : check('namespaces', 'pass', 'every target namespace is new'),
  );

  return { ok: !checks.some((c) => c.status === 'fail'), checks };
}
