/** Discovery documents, /version and a minimal OpenAPI v3 (enough for kubectl's field validation check). */
import type { Cluster } from './cluster.ts';
import { apiVersionOf, type ResourceDef } from './resources.ts';
import type { JsonObject } from './types.ts';
import { shortHash } from './util.ts';

const SUB_INFO: Record<string, { kind?: string; group?: string; version?: string; verbs: string[] }> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  log: { kind: 'Pod', verbs: ['get'] },
  binding: { kind: 'Binding', verbs: ['create'] },
  eviction: { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
  ephemeralcontainers: { verbs: ['get', 'patch', 'update'] },
  proxy: { kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  finalize: { verbs: ['update'] },
  token: { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
};

export function versionInfo(c: Cluster): JsonObject {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(.*)$/.exec(c.info.kubernetesVersion.trim());
  const major = m?.[1] ?? '1';
  const minor = m?.[2] ?? '31';
  const patch = m?.[3] ?? '5';
  const suffix = m?.[4] ?? '';
  const base = `v${major}.${minor}.${patch}`;
  const git = suffix
    ? `${base}${suffix}`
    : c.info.cloud === 'aws'
      ? `${base}-eks-${shortHash(base, 7).replace(/[^0-9a-f]/g, 'a')}`
      : c.info.cloud === 'gcp'
        ? `${base}-gke.1200000`
        : base;
  return {
    major,
    minor: c.info.cloud === 'aws' ? `${minor}+` : minor,
    emulationMajor: major,
    emulationMinor: minor,
    gitVersion: git,
    gitCommit: shortHash(git, 40).replace(/[^0-9a-f]/g, 'c'),
    gitTreeState: 'clean',
    buildDate: '2025-01-15T18:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function groups(c: Cluster): Map<string, ResourceDef[]> {
  const m = new Map<string, ResourceDef[]>();
  for (const d of c.allDefs()) {
    if (!d.group) continue;
    const l = m.get(d.group) ?? [];
    l.push(d);
    m.set(d.group, l);
  }
  return m;
}

function groupVersions(defs: ResourceDef[]): string[] {
  const out: string[] = [];
  for (const d of defs) for (const v of d.versions) if (!out.includes(v)) out.push(v);
  return out;
}

export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(name: string, defs: ResourceDef[]): JsonObject {
  const vs = groupVersions(defs);
  const preferred = defs[0]!.versions[0]!;
  return {
    name,
    versions: vs.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred },
  };
}

export function apiGroupList(c: Cluster): JsonObject {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups(c).entries()].map(([g, defs]) => apiGroup(g, defs)),
  };
}

export function apiGroupDoc(c: Cluster, group: string): JsonObject | undefined {
  const defs = groups(c).get(group);
  if (!defs) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, defs) };
}

export function resourceList(c: Cluster, group: string, version: string): JsonObject | undefined {
  const defs = c.allDefs().filter((d) => d.group === group && d.versions.includes(version));
  if (!defs.length) return undefined;
  const resources: JsonObject[] = [];
  for (const d of defs) {
    resources.push({
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs,
      ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
      ...(d.categories.length ? { categories: d.categories } : {}),
      storageVersionHash: `${Buffer.from(shortHash(`${d.group}/${d.plural}`, 8))
        .toString('base64')
        .slice(0, 11)}=`,
    });
    for (const sub of d.subresources) {
      const info = SUB_INFO[sub] ?? { verbs: ['get'] };
      resources.push({
        name: `${d.plural}/${sub}`,
        singularName: '',
        namespaced: d.namespaced,
        ...(info.group ? { group: info.group, version: info.version } : {}),
        kind: info.kind ?? d.kind,
        verbs: info.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}

/** Aggregated discovery (apidiscovery.k8s.io/v2) for /api or /apis. */
export function aggregated(c: Cluster, legacy: boolean, apiVersion: string): JsonObject {
  const byGroup = new Map<string, ResourceDef[]>();
  for (const d of c.allDefs()) {
    if (legacy !== (d.group === '')) continue;
    const l = byGroup.get(d.group) ?? [];
    l.push(d);
    byGroup.set(d.group, l);
  }
  const items = [...byGroup.entries()].map(([g, defs]) => ({
    metadata: { name: g, creationTimestamp: null },
    versions: groupVersions(defs).map((v) => ({
      version: v,
      freshness: 'Current',
      resources: defs
        .filter((d) => d.versions.includes(v))
        .map((d) => ({
          resource: d.plural,
          responseKind: { group: d.group, version: v, kind: d.kind },
          scope: d.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: d.singular,
          verbs: d.verbs,
          ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
          ...(d.categories.length ? { categories: d.categories } : {}),
          ...(d.subresources.length
            ? {
                subresources: d.subresources.map((s) => {
                  const info = SUB_INFO[s] ?? { verbs: ['get'] };
                  return {
                    subresource: s,
                    responseKind: {
                      group: info.group ?? d.group,
                      version: info.version ?? v,
                      kind: info.kind ?? d.kind,
                    },
                    verbs: info.verbs,
                  };
                }),
              }
            : {}),
        })),
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}

function gvKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openapiV3Root(c: Cluster, prefix: string): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const d of c.allDefs())
    for (const v of d.versions) {
      const k = gvKey(d.group, v);
      paths[k] = {
        serverRelativeURL: `${prefix}/openapi/v3/${k}?hash=${shortHash(`${k}/${c.crdDefs.size}`, 16)}`,
      };
    }
  return { paths };
}

export function openapiV3Doc(c: Cluster, gvPath: string): JsonObject | undefined {
  const defs = c
    .allDefs()
    .flatMap((d) => d.versions.map((v) => ({ d, v })))
    .filter(({ d, v }) => gvKey(d.group, v) === gvPath);
  if (!defs.length) return undefined;
  const paths: Record<string, JsonObject> = {};
  const params = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
    name,
    in: 'query',
    schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
  }));
  for (const { d, v } of defs) {
    const gvk = { group: d.group, version: v, kind: d.kind };
    const base = `/${gvPath}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.plural}`;
    const op = (action: string) => ({
      operationId: `${action}${d.kind}`,
      tags: [gvPath],
      parameters: params,
      responses: { '200': { description: 'OK' } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    });
    paths[base] = { post: op('post'), get: op('list') };
    paths[`${base}/{name}`] = { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1' },
    paths,
    components: { schemas: {} },
  };
}
