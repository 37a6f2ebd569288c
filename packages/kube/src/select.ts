/**
 * Selection, pure: which namespaces (names, globs, exclusions), which kinds (include/exclude by
 * `Kind` or `Kind.group`), which resources are exported at all, and the cluster-scoped objects a
 * selection depends on (CRDs of its custom resources, ClusterRoles and bindings of its
 * ServiceAccounts, StorageClasses and PriorityClasses in use).
 */
import type { ResourceInfo } from './client.ts';
import { asArray, asObject, asString, groupOf, type KubeObject } from './types.ts';

/** Shell-style glob: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`; anchored. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += ch.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function matchesAny(name: string, patterns: string[] | undefined): boolean {
  return (patterns ?? []).some((p) => globToRegExp(p).test(name));
}

/** Namespaces the request selects from what the source has, sorted. */
export function selectNamespaces(
  available: string[],
  req: { namespaces: string[]; excludeNamespaces?: string[] | undefined },
): string[] {
  return available
    .filter((n) => matchesAny(n, req.namespaces) && !matchesAny(n, req.excludeNamespaces))
    .sort();
}

/** Plain names the request asks for that the source does not have (globs may match nothing). */
export function missingNamespaces(available: string[], requested: string[]): string[] {
  return requested.filter((p) => !/[*?[]/.test(p) && !available.includes(p));
}

export function namespaceMapFor(
  selected: string[],
  map: Record<string, string> | undefined,
): Record<string, string> {
  return Object.fromEntries(selected.map((n) => [n, map?.[n] ?? n]));
}

/** `Deployment`, `deployments`, `Ingress.networking.k8s.io`, `ingresses.networking.k8s.io`. */
export function kindMatches(r: Pick<ResourceInfo, 'kind' | 'plural' | 'group'>, filter: string): boolean {
  const dot = filter.indexOf('.');
  const name = (dot < 0 ? filter : filter.slice(0, dot)).toLowerCase();
  const group = dot < 0 ? undefined : filter.slice(dot + 1).toLowerCase();
  if (group !== undefined && group !== r.group.toLowerCase()) return false;
  return name === r.kind.toLowerCase() || name === r.plural.toLowerCase();
}

export function kindSelected(
  r: Pick<ResourceInfo, 'kind' | 'plural' | 'group'>,
  include: string[] | undefined,
  exclude: string[] | undefined,
): boolean {
  if (include?.length && !include.some((f) => kindMatches(r, f))) return false;
  return !exclude?.some((f) => kindMatches(r, f));
}

/**
 * Resources never listed for a migration: runtime records with no meaning in another cluster, and
 * read-only views (metrics). Events are skipped by a rule too, but listing thousands is waste.
 */
const NOT_EXPORTED = new Set([
  '/Event',
  'events.k8s.io/Event',
  'coordination.k8s.io/Lease',
  'metrics.k8s.io/PodMetrics',
  'metrics.k8s.io/NodeMetrics',
  '/Binding',
  '/ComponentStatus',
]);

/** Namespaced resources to list for a selection (preferred versions, listable and creatable). */
export function exportableResources(
  all: ResourceInfo[],
  req: { includeKinds?: string[] | undefined; excludeKinds?: string[] | undefined; includeSecrets: boolean },
): ResourceInfo[] {
  return all.filter(
    (r) =>
      r.preferred &&
      r.namespaced &&
      r.verbs.includes('list') &&
      r.verbs.includes('create') &&
      !NOT_EXPORTED.has(`${r.group}/${r.kind}`) &&
      (req.includeSecrets || !(r.group === '' && r.kind === 'Secret')) &&
      kindSelected(r, req.includeKinds, req.excludeKinds),
  );
}

export interface ClusterDependencyNeeds {
  /** `group/Kind` of custom resources found */
  customKinds: Set<string>;
  serviceAccounts: Set<string>;
  clusterRoles: Set<string>;
  storageClasses: Set<string>;
  priorityClasses: Set<string>;
}

const BUILTIN_GROUP =
  /^$|\.k8s\.io$|^apps$|^batch$|^autoscaling$|^policy$|^extensions$|^apiextensions\.k8s\.io$/;

/** What cluster-scoped objects the exported namespaced objects need. */
export function clusterDependencyNeeds(objects: KubeObject[]): ClusterDependencyNeeds {
  const needs: ClusterDependencyNeeds = {
    customKinds: new Set(),
    serviceAccounts: new Set(),
    clusterRoles: new Set(),
    storageClasses: new Set(),
    priorityClasses: new Set(),
  };
  for (const o of objects) {
    const group = groupOf(o.apiVersion);
    if (!BUILTIN_GROUP.test(group)) needs.customKinds.add(`${group}/${o.kind}`);
    if (o.kind === 'ServiceAccount') needs.serviceAccounts.add(`${o.metadata.namespace}/${o.metadata.name}`);
    if (o.kind === 'RoleBinding') {
      const ref = asObject(o.roleRef);
      if (ref.kind === 'ClusterRole' && typeof ref.name === 'string') needs.clusterRoles.add(ref.name);
    }
    if (o.kind === 'PersistentVolumeClaim') {
      const sc = asString(asObject(o.spec).storageClassName);
      if (sc) needs.storageClasses.add(sc);
    }
    const spec = asObject(o.spec);
    if (o.kind === 'StatefulSet')
      for (const t of asArray(spec.volumeClaimTemplates)) {
        const sc = asString(asObject(asObject(t).spec).storageClassName);
        if (sc) needs.storageClasses.add(sc);
      }
    const template =
      o.kind === 'CronJob'
        ? asObject(asObject(asObject(spec.jobTemplate).spec).template)
        : asObject(spec.template);
    const pc = asString(asObject(o.kind === 'Pod' ? spec : template.spec).priorityClassName);
    if (pc) needs.priorityClasses.add(pc);
  }
  return needs;
}

/** ClusterRoleBindings that bind one of the selected ServiceAccounts. */
export function bindsSelectedServiceAccount(crb: KubeObject, serviceAccounts: Set<string>): boolean {
  return asArray(crb.subjects).some((s) => {
    const sub = asObject(s);
    return (
      sub.kind === 'ServiceAccount' && serviceAccounts.has(`${asString(sub.namespace)}/${asString(sub.name)}`)
    );
  });
}

/** The CRD that defines a custom kind. */
export function crdDefines(crd: KubeObject, customKind: string): boolean {
  const spec = asObject(crd.spec);
  return `${asString(spec.group)}/${asString(asObject(spec.names).kind)}` === customKind;
}
