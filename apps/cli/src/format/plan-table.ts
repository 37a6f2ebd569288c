import type { Catalog, ClonePlan, ClonePlanItem, JsonValue } from '@dolly/model';
import { SERVICE_NAME } from '@dolly/model';
import Table from 'cli-table3';
import picocolors from 'picocolors';
import { planCostLines } from './plan-cost.ts';

// Colour only on a terminal; piped tables stay plain text.
let pc = picocolors.createColors(false);

const show = (v: unknown): string => {
  if (v === undefined) return pc.dim('—');
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(', ');
  return JSON.stringify(v);
};

function machine(catalog: Catalog, cloud: ClonePlanItem['source']['cloud'], name: string): string {
  const t = catalog.machineType(cloud, name);
  if (!t) return name;
  const gpu = t.gpus > 0 ? `, ${t.gpus}× ${t.gpuModel}` : '';
  return `${name} (${t.vcpus} vCPU / ${t.memoryGiB} GiB${gpu}${t.arch === 'arm64' ? ', arm64' : ''})`;
}

interface Row {
  field: string;
  from: string;
  to: string;
  why: string;
}

/** One row per field of interest and per decision, in source order, with the reason. */
function rows(item: ClonePlanItem, catalog: Catalog): Row[] {
  const { source, target } = item;
  const reasons = new Map<string, string[]>();
  for (const d of item.decisions) reasons.set(d.path, [...(reasons.get(d.path) ?? []), d.reason]);
  for (const d of item.dropped)
    reasons.set(d.path, [...(reasons.get(d.path) ?? []), `dropped: ${d.message}`]);
  const used = new Set<string>();
  const out: Row[] = [];
  const add = (path: string, from: unknown, to: unknown, fmt?: (v: JsonValue | unknown) => string): void => {
    used.add(path);
    const f = fmt ?? show;
    const why =
      reasons.get(path)?.join('; ') ??
      (JSON.stringify(from) === JSON.stringify(to) ? pc.dim('unchanged') : '');
    if (from === undefined && to === undefined) return;
    out.push({ field: path, from: f(from), to: f(to), why });
  };
  add('cloud', source.cloud, target.cloud);
  add('scope', source.scope, target.scope);
  add('location', source.location, target.location);
  add('name', source.name, target.name);
  add('kubernetesVersion', source.kubernetesVersion, target.kubernetesVersion);
  add('network.plugin', source.network?.plugin, target.network?.plugin);
  add('network.podCidr', source.network?.podCidr, target.network?.podCidr);
  add('network.serviceCidr', source.network?.serviceCidr, target.network?.serviceCidr);
  add('endpoint', source.endpoint, target.endpoint);
  add('secretsEncryption', source.secretsEncryption, target.secretsEncryption, (v) =>
    v && typeof v === 'object' && 'keyRef' in v ? String(v.keyRef) : show(v),
  );
  add('addons', source.addons, target.addons);
  const pools = Math.max(source.nodePools.length, target.nodePools.length);
  for (let i = 0; i < pools; i++) {
    const s = source.nodePools[i];
    const t = target.nodePools[i];
    const b = `nodePools[${i}]`;
    if (!s && t) {
      used.add(b);
      out.push({
        field: b,
        from: pc.dim('—'),
        to: `${t.name}: ${t.nodeCount} × ${machine(catalog, target.cloud, t.machineType)}`,
        why: reasons.get(b)?.join('; ') ?? '',
      });
      continue;
    }
    add(`${b}.name`, s?.name, t?.name);
    used.add(`${b}.machineType`);
    out.push({
      field: `${b}.machineType`,
      from: s ? machine(catalog, source.cloud, s.machineType) : pc.dim('—'),
      to: t ? machine(catalog, target.cloud, t.machineType) : pc.dim('—'),
      why: reasons.get(`${b}.machineType`)?.join('; ') ?? pc.dim('unchanged'),
    });
    add(`${b}.nodeCount`, s?.nodeCount, t?.nodeCount, String);
    add(`${b}.autoscaling`, s?.autoscaling, t?.autoscaling, (v) =>
      v && typeof v === 'object' && 'minNodes' in v && 'maxNodes' in v
        ? `${v.minNodes}-${v.maxNodes}`
        : show(v),
    );
    add(`${b}.spot`, s?.spot, t?.spot, String);
    add(`${b}.zones`, s?.zones, t?.zones);
    add(
      `${b}.taints`,
      s?.taints.length ? s.taints : undefined,
      t?.taints.length ? t.taints : undefined,
      (v) =>
        Array.isArray(v)
          ? v
              .map(
                (x: { key: string; value?: string; effect: string }) =>
                  `${x.key}${x.value ? `=${x.value}` : ''}:${x.effect}`,
              )
              .join(', ')
          : show(v),
    );
    add(`${b}.diskSizeGb`, s?.diskSizeGb, t?.diskSizeGb, (v) => (v === undefined ? pc.dim('—') : String(v)));
    add(`${b}.diskType`, s?.diskType, t?.diskType);
    add(`${b}.maxPods`, s?.maxPods, t?.maxPods, (v) => (v === undefined ? pc.dim('—') : String(v)));
    add(`${b}.kubernetesVersion`, s?.kubernetesVersion, t?.kubernetesVersion);
    add(`${b}.mode`, s?.mode, t?.mode);
  }
  // Remaining decisions (labels, nested fields) in the order they were made.
  for (const d of item.decisions) {
    if (used.has(d.path)) continue;
    out.push({ field: d.path, from: show(d.from), to: show(d.to), why: d.reason });
  }
  return out;
}

/** A readable summary of every item: source -> target per field, with the reasons. */
export function renderPlanTable(plan: ClonePlan, catalog: Catalog, width = 140, color = false): string {
  pc = picocolors.createColors(color);
  const parts: string[] = [];
  parts.push(pc.bold(`ClonePlan ${plan.id ?? ''}`.trim()) + pc.dim(` — ${plan.items.length} cluster(s)`));
  for (const item of plan.items) {
    const s = item.source;
    const t = item.target;
    parts.push('');
    parts.push(
      pc.bold(
        `${s.name} (${SERVICE_NAME[s.cloud]} ${s.location})  →  ${t.name} (${SERVICE_NAME[t.cloud]} ${t.location})`,
      ),
    );
    const fieldW = 26;
    const valW = Math.max(18, Math.floor((width - fieldW - 10) * 0.25));
    const whyW = Math.max(24, width - fieldW - 2 * valW - 10);
    const table = new Table({
      head: ['Field', 'Source', 'Target', 'Why'],
      colWidths: [fieldW, valW, valW, whyW],
      wordWrap: true,
      wrapOnWordBoundary: true,
      style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] },
    });
    for (const r of rows(item, catalog)) table.push([r.field, r.from, r.to, r.why]);
    parts.push(table.toString());
    for (const w of item.warnings) {
      const tag = w.severity === 'error' ? pc.red('error  ') : pc.yellow('warning');
      parts.push(`${tag} ${w.path}: ${w.message} ${pc.dim(`(${w.code})`)}`);
    }
    for (const d of item.dropped)
      parts.push(`${pc.magenta('dropped')} ${d.path}: ${d.message} ${pc.dim(`(${d.code})`)}`);
    const [headline, ...details] = planCostLines(item);
    if (headline) parts.push(pc.bold(headline));
    for (const line of details)
      parts.push(
        line.trimStart().startsWith('Prices:') || line.trimStart().startsWith('Basis:') ? pc.dim(line) : line,
      );
  }
  return parts.join('\n');
}
