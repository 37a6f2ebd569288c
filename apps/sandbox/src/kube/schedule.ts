/** Pure scheduling predicates: node selectors, required node affinity, taints/tolerations, resources. */
import { asArray, asObject, asString, asStringMap, type JsonObject } from './types.ts';
import { parseQuantity } from './util.ts';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface SchedNode {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  allocatable: { cpu: number; memory: number; pods: number };
  ready: boolean;
  unschedulable: boolean;
}

export interface Usage {
  cpu: number;
  memory: number;
  pods: number;
}

export function podRequests(spec: JsonObject): { cpu: number; memory: number } {
  const sum = (list: unknown) => {
    let cpu = 0;
    let memory = 0;
    for (const c of asArray(list).map(asObject)) {
      const req = asObject(asObject(c.resources).requests);
      const lim = asObject(asObject(c.resources).limits);
      cpu += parseQuantity(req.cpu ?? lim.cpu);
      memory += parseQuantity(req.memory ?? lim.memory);
    }
    return { cpu, memory };
  };
  const main = sum(spec.containers);
  for (const ic of asArray(spec.initContainers)) {
    const one = sum([ic]);
    main.cpu = Math.max(main.cpu, one.cpu);
    main.memory = Math.max(main.memory, one.memory);
  }
  const overhead = asObject(spec.overhead);
  main.cpu += parseQuantity(overhead.cpu);
  main.memory += parseQuantity(overhead.memory);
  return main;
}

export function tolerates(tolerations: unknown, taint: Taint): boolean {
  return asArray(tolerations)
    .map(asObject)
    .some((t) => {
      if (t.effect && t.effect !== taint.effect) return false;
      const key = asString(t.key);
      const op = t.operator ?? 'Equal';
      if (!key) return op === 'Exists';
      if (key !== taint.key) return false;
      if (op === 'Exists') return true;
      return (asString(t.value) ?? '') === (taint.value ?? '');
    });
}

function matchExpression(expr: JsonObject, value: string | undefined): boolean {
  const values = asArray(expr.values).map(String);
  switch (expr.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
  }
  return false;
}

/** nodeSelectorTerms are ORed; expressions within a term are ANDed. An empty term list matches nothing. */
export function matchNodeSelectorTerms(terms: unknown, node: Pick<SchedNode, 'name' | 'labels'>): boolean {
  return asArray(terms)
    .map(asObject)
    .some((term) => {
      const exprs = asArray(term.matchExpressions).map(asObject);
      const fields = asArray(term.matchFields).map(asObject);
      if (exprs.length === 0 && fields.length === 0) return false;
      return (
        exprs.every((e) => matchExpression(e, node.labels[String(e.key)])) &&
        fields.every((e) => matchExpression(e, e.key === 'metadata.name' ? node.name : undefined))
      );
    });
}

export function matchesNodeAffinity(spec: JsonObject, node: Pick<SchedNode, 'name' | 'labels'>): boolean {
  const sel = asStringMap(spec.nodeSelector);
  for (const [k, v] of Object.entries(sel)) if (node.labels[k] !== v) return false;
  const required = asObject(
    asObject(asObject(spec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution,
  );
  if (required.nodeSelectorTerms !== undefined && !matchNodeSelectorTerms(required.nodeSelectorTerms, node))
    return false;
  return true;
}

export function untoleratedTaint(spec: JsonObject, node: SchedNode): Taint | undefined {
  return node.taints.find(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(spec.tolerations, t),
  );
}

export interface FitResult {
  node?: string;
  message?: string;
}

/**
 * Pick a node for a pod spec. `volumeTerms` are node selector terms that PersistentVolumes already bound
 * to the pod's claims impose (each entry must match).
 */
export function scheduleOn(
  spec: JsonObject,
  nodes: SchedNode[],
  usage: Map<string, Usage>,
  volumeTerms: unknown[] = [],
): FitResult {
  if (nodes.length === 0) return { message: 'no nodes available to schedule pods' };
  const req = podRequests(spec);
  const reasons = new Map<string, number>();
  const add = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
  const fits: { name: string; score: number }[] = [];
  for (const node of nodes) {
    if (!node.ready) {
      add('node(s) had untolerated taint {node.kubernetes.io/not-ready: }');
      continue;
    }
    if (node.unschedulable) {
      add('node(s) were unschedulable');
      continue;
    }
    const taint = untoleratedTaint(spec, node);
    if (taint) {
      add(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
      continue;
    }
    if (!matchesNodeAffinity(spec, node)) {
      add("node(s) didn't match Pod's node affinity/selector");
      continue;
    }
    if (!volumeTerms.every((t) => matchNodeSelectorTerms(t, node))) {
      add('node(s) had volume node affinity conflict');
      continue;
    }
    const used = usage.get(node.name) ?? { cpu: 0, memory: 0, pods: 0 };
    const problems: string[] = [];
    if (used.pods + 1 > node.allocatable.pods) problems.push('Too many pods');
    if (req.cpu > 0 && used.cpu + req.cpu > node.allocatable.cpu + 1e-9) problems.push('Insufficient cpu');
    if (req.memory > 0 && used.memory + req.memory > node.allocatable.memory)
      problems.push('Insufficient memory');
    if (problems.length) {
      for (const p of problems) add(p);
      continue;
    }
    const score =
      (used.cpu + req.cpu) / Math.max(node.allocatable.cpu, 1e-9) +
      (used.memory + req.memory) / Math.max(node.allocatable.memory, 1) +
      used.pods / 1000;
    fits.push({ name: node.name, score });
  }
  if (fits.length) {
    fits.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
    return { node: fits[0]!.name };
  }
  const parts = [...reasons.entries()]
    .map(([r, n]) => `${n} ${r}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    message: `0/${nodes.length} nodes are available: ${parts.join(', ')}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`,
  };
}
