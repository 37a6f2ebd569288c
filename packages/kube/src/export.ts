/**
 * Export through the source API server: every selected namespace, every exportable kind, paged,
 * in parallel; then the cluster-scoped objects the selection depends on. Read-only at the source.
 */
import type { MigrationRequest } from '@dolly/contracts';
import pLimit from 'p-limit';
import type { KubeClient, ResourceInfo } from './client.ts';
import {
  bindsSelectedServiceAccount,
  clusterDependencyNeeds,
  crdDefines,
  exportableResources,
  missingNamespaces,
  selectNamespaces,
} from './select.ts';
import { asObject, type KubeObject, type MigrationWarning } from './types.ts';

export type ExportSelection = Pick<
  MigrationRequest,
  'namespaces' | 'excludeNamespaces' | 'labelSelector' | 'includeKinds' | 'excludeKinds' | 'includeSecrets'
>;

export interface ExportResult {
  /** selected source namespaces, sorted */
  namespaces: string[];
  /** Namespace objects, namespaced objects, then cluster-scoped dependencies */
  objects: KubeObject[];
  warnings: MigrationWarning[];
  /** list calls per kind, for progress and the benchmark */
  listed: Record<string, number>;
}

export interface ExportOptions {
  signal?: AbortSignal;
  pageSize?: number;
  concurrency?: number;
  onProgress?: (p: { kind: string; namespace?: string; count: number }) => void;
}

export async function exportObjects(
  client: KubeClient,
  selection: ExportSelection,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const catalog = await client.discover({ signal: opts.signal });
  const nsRes = catalog.preferred('', 'Namespace');
  if (!nsRes) throw new Error('the source API server does not serve Namespaces');
  const allNamespaces = await client.list(nsRes, { signal: opts.signal });
  const names = allNamespaces.map((n) => n.metadata.name ?? '');
  const selected = selectNamespaces(names, selection);
  const warnings: MigrationWarning[] = missingNamespaces(names, selection.namespaces).map((n) => ({
    rule: 'select',
    message: `namespace ${n} does not exist in the source`,
  }));
  const resources = exportableResources(catalog.all, selection);
  const limit = pLimit(opts.concurrency ?? 8);
  const listed: Record<string, number> = {};
  const batches = await Promise.all(
    selected.flatMap((ns) =>
      resources.map((r) =>
        limit(async () => {
          const items = await client.list(r, {
            namespace: ns,
            ...(selection.labelSelector ? { labelSelector: selection.labelSelector } : {}),
            limit: opts.pageSize ?? 500,
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
          listed[r.kind] = (listed[r.kind] ?? 0) + items.length;
          if (items.length) opts.onProgress?.({ kind: r.kind, namespace: ns, count: items.length });
          return items;
        }),
      ),
    ),
  );
  const namespaced = batches.flat().sort(byKey);
  const namespaceObjects = allNamespaces.filter((n) => selected.includes(n.metadata.name ?? ''));
  const dependencies = await clusterDependencies(client, catalog.all, namespaced, opts.signal);
  return {
    namespaces: selected,
    objects: [...namespaceObjects, ...namespaced, ...dependencies],
    warnings,
    listed,
  };
}

function byKey(a: KubeObject, b: KubeObject): number {
  const ka = `${a.kind}/${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.kind}/${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

async function clusterDependencies(
  client: KubeClient,
  all: ResourceInfo[],
  namespaced: KubeObject[],
  signal: AbortSignal | undefined,
): Promise<KubeObject[]> {
  const needs = clusterDependencyNeeds(namespaced);
  const find = (group: string, kind: string) =>
    all.find((r) => r.preferred && r.group === group && r.kind === kind);
  const listAll = async (group: string, kind: string) => {
    const r = find(group, kind);
    return r ? client.list(r, signal ? { signal } : {}) : [];
  };
  const out: KubeObject[] = [];
  if (needs.customKinds.size)
    out.push(
      ...(await listAll('apiextensions.k8s.io', 'CustomResourceDefinition')).filter((crd) =>
        [...needs.customKinds].some((k) => crdDefines(crd, k)),
      ),
    );
  if (needs.serviceAccounts.size) {
    const bindings = (await listAll('rbac.authorization.k8s.io', 'ClusterRoleBinding')).filter((b) =>
      bindsSelectedServiceAccount(b, needs.serviceAccounts),
    );
    out.push(...bindings);
    for (const b of bindings) {
      const ref = asObject(b.roleRef);
      if (ref.kind === 'ClusterRole' && typeof ref.name === 'string') needs.clusterRoles.add(ref.name);
    }
  }
  if (needs.clusterRoles.size)
    out.push(
      ...(await listAll('rbac.authorization.k8s.io', 'ClusterRole')).filter((r) =>
        needs.clusterRoles.has(r.metadata.name ?? ''),
      ),
    );
  if (needs.storageClasses.size)
    out.push(
      ...(await listAll('storage.k8s.io', 'StorageClass')).filter((s) =>
        needs.storageClasses.has(s.metadata.name ?? ''),
      ),
    );
  if (needs.priorityClasses.size)
    out.push(
      ...(await listAll('scheduling.k8s.io', 'PriorityClass')).filter(
        (p) =>
          needs.priorityClasses.has(p.metadata.name ?? '') && !(p.metadata.name ?? '').startsWith('system-'),
      ),
    );
  return out;
}
