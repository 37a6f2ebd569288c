/**
 * Namespace renaming: the object's namespace, RBAC subjects, the namespace-name label in network
 * policies, and in-cluster DNS names of migrated Services. What cannot be rewritten safely (other
 * namespace selectors, DNS names of Services that are not migrated) is reported instead.
 */
import { asArray, asObject, asString, type KubeObject } from '../types.ts';
import {
  CONTAINER_LISTS,
  Edit,
  getAt,
  type PathSegment,
  podSpecPaths,
  type TransformContext,
  type TransformRule,
} from './rule.ts';

const NAME_LABEL = 'kubernetes.io/metadata.name';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `<service>.<namespace>.svc[.cluster.local]` occurrences for one source namespace. */
function dnsPattern(ns: string): RegExp {
  return new RegExp(
    `(?<![-a-z0-9])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\\.${escapeRe(ns)}\\.svc(?![-a-z0-9])`,
    'g',
  );
}

interface DnsRewrite {
  text: string;
  rewritten: string[];
  unresolved: string[];
}

/** Rewrites DNS names of Services that are part of this migration; lists the others. */
export function rewriteServiceDns(text: string, ctx: TransformContext): DnsRewrite {
  const rewritten: string[] = [];
  const unresolved: string[] = [];
  let out = text;
  for (const [src, dst] of Object.entries(ctx.namespaceMap)) {
    if (src === dst || !out.includes(`.${src}.svc`)) continue;
    out = out.replace(dnsPattern(src), (whole, svc: string) => {
      if (ctx.index.get('v1', 'Service', src, svc)) {
        rewritten.push(`${whole} → ${svc}.${dst}.svc`);
        return `${svc}.${dst}.svc`;
      }
      unresolved.push(whole);
      return whole;
    });
  }
  return { text: out, rewritten, unresolved };
}

function rewriteStringAt(e: Edit, path: PathSegment[], value: unknown, ctx: TransformContext, where: string) {
  if (typeof value !== 'string') return;
  const r = rewriteServiceDns(value, ctx);
  if (r.rewritten.length) e.set(path, r.text, `Service DNS names: ${r.rewritten.join(', ')}`);
  if (r.unresolved.length)
    e.warn(
      `${where} names ${r.unresolved.join(', ')}: a Service in a renamed namespace that is not part of this migration`,
      'check that the name still resolves in the target cluster',
    );
}

export const renameNamespace: TransformRule = (obj, ctx) => {
  const e = new Edit('renameNamespace', obj);
  const map = ctx.namespaceMap;
  const renamed = (ns: string | undefined) => (ns && map[ns] && map[ns] !== ns ? map[ns] : undefined);
  if (obj.kind === 'Namespace') {
    const to = renamed(obj.metadata.name);
    if (to) e.set(['metadata', 'name'], to);
  }
  const toNs = renamed(obj.metadata.namespace);
  if (toNs) e.set(['metadata', 'namespace'], toNs);

  if (obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding')
    asArray(obj.subjects).forEach((s, i) => {
      const to = renamed(asString(asObject(s).namespace));
      if (to) e.set(['subjects', i, 'namespace'], to);
    });

  if (obj.kind === 'NetworkPolicy') rewriteNetworkPolicy(e, obj, ctx);

  if (obj.kind === 'ConfigMap')
    for (const [k, v] of Object.entries(asObject(obj.data)))
      rewriteStringAt(e, ['data', k], v, ctx, `ConfigMap ${obj.metadata.name} key ${k}`);

  for (const spec of podSpecPaths(obj)) {
    const podSpec = asObject(getAt(obj, spec));
    for (const list of CONTAINER_LISTS)
      for (const [ci, c] of asArray(podSpec[list]).entries()) {
        const container = asObject(c);
        const where = `${obj.kind} ${obj.metadata.name} container ${asString(container.name) ?? ci}`;
        for (const [ei, env] of asArray(container.env).entries())
          rewriteStringAt(e, [...spec, list, ci, 'env', ei, 'value'], asObject(env).value, ctx, where);
        for (const field of ['args', 'command'] as const)
          for (const [ai, a] of asArray(container[field]).entries())
            rewriteStringAt(e, [...spec, list, ci, field, ai], a, ctx, where);
      }
  }
  return e.result();
};

/** Peers selected by the namespace-name label follow the rename; other namespace selectors are reported. */
function rewriteNetworkPolicy(e: Edit, obj: KubeObject, ctx: TransformContext) {
  const spec = asObject(obj.spec);
  for (const [dir, peersKey] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const)
    for (const [ri, rule] of asArray(spec[dir]).entries())
      for (const [pi, peer] of asArray(asObject(rule)[peersKey]).entries()) {
        const sel = asObject(asObject(peer).namespaceSelector);
        if (!Object.keys(sel).length) continue;
        const base: PathSegment[] = ['spec', dir, ri, peersKey, pi, 'namespaceSelector'];
        const ml = asObject(sel.matchLabels);
        const named = asString(ml[NAME_LABEL]);
        let handled = false;
        if (named && ctx.namespaceMap[named]) {
          e.set([...base, 'matchLabels', NAME_LABEL], ctx.namespaceMap[named]);
          handled = Object.keys(ml).length === 1 && !asArray(sel.matchExpressions).length;
        }
        for (const [xi, x] of asArray(sel.matchExpressions).entries()) {
          const ex = asObject(x);
          if (ex.key !== NAME_LABEL) continue;
          const values = asArray(ex.values).map((v) =>
            typeof v === 'string' ? (ctx.namespaceMap[v] ?? v) : v,
          );
          e.set([...base, 'matchExpressions', xi, 'values'], values);
        }
        if (!handled)
          e.warn(
            `NetworkPolicy ${obj.metadata.name} selects namespaces by labels (${dir} rule ${ri}); the target's namespaces may be labelled differently`,
            'check the namespace labels in the target',
          );
      }
}
