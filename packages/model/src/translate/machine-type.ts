import type { Catalog, CloudId, MachineTypeInfo } from '../catalog/types';

/** What a pool needs from a machine type. */
export interface MachineRequirement {
  vcpus: number;
  memoryGiB: number;
  arch: 'x86_64' | 'arm64';
  gpus: number;
  gpuModel: string | null;
  acceleratorModel: string | null;
  burstable: boolean;
  baremetal: boolean;
  constrainedVcpu: boolean;
}

export type MachineChoice =
  | { ok: true; type: MachineTypeInfo; gpuSubstituted?: { from: string; to: string }; hostSmaller?: boolean }
  | { ok: false; reason: string };

/** Requirement read from a source type. */
export function requirementOf(t: MachineTypeInfo): MachineRequirement {
  return {
    vcpus: t.vcpus,
    memoryGiB: t.memoryGiB,
    arch: t.arch,
    gpus: t.gpus,
    gpuModel: t.gpuModel,
    acceleratorModel: t.acceleratorModel ?? null,
    burstable: t.burstable,
    baremetal: t.baremetal ?? false,
    constrainedVcpu: t.constrainedVcpu ?? false,
  };
}

/**
 * GKE custom machine types ("custom-4-16384", "n2-custom-4-16384[-ext]") are not in any list: their
 * shape is in the name, memory in MiB.
 */
export function gcpCustomType(name: string): MachineTypeInfo | undefined {
  const m = /^(?:([a-z0-9]+)-)?custom-(\d+)-(\d+)(?:-ext)?$/.exec(name);
  if (!m) return undefined;
  const family = m[1] ?? 'n1';
  return {
    cloud: 'gcp',
    name,
    family,
    category: 'general',
    vcpus: Number(m[2]),
    memoryGiB: Number(m[3]) / 1024,
    gpus: 0,
    gpuModel: null,
    arch: 'x86_64',
    hourlyUsd: null,
    previousGeneration: family === 'n1',
    burstable: false,
  };
}

/** Looks a type up in the catalog, understanding GKE custom types. */
export function lookupMachineType(
  catalog: Catalog,
  cloud: CloudId,
  name: string,
  region?: string,
): MachineTypeInfo | undefined {
  return catalog.machineType(cloud, name, region) ?? (cloud === 'gcp' ? gcpCustomType(name) : undefined);
}

// GPU comparability: the same chip first ("NVIDIA A100 40GB" and "NVIDIA A100 80GB" are both A100);
// failing that, a chip of the same class with a warning. Classes follow what the chips are sold for.
const GPU_CLASS: Record<string, string> = {
  T4: 'inference',
  A10G: 'inference',
  A10: 'inference',
  L4: 'inference',
  L40S: 'inference',
  V100: 'training',
  A100: 'training',
  H100: 'hopper',
  H200: 'hopper',
};

export function gpuChip(model: string | null): string | null {
  if (!model) return null;
  return model
    .replace(/^NVIDIA\s+/i, '')
    .replace(/\s+\d+GB$/i, '')
    .trim()
    .toUpperCase();
}

const byTieBreak = (a: MachineTypeInfo, b: MachineTypeInfo): number =>
  a.memoryGiB - b.memoryGiB ||
  a.vcpus - b.vcpus ||
  (a.hourlyUsd ?? Number.POSITIVE_INFINITY) - (b.hourlyUsd ?? Number.POSITIVE_INFINITY) ||
  (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

interface TypeIndex {
  /** Per key (arch + burstable allowed + baremetal + constrained), candidates in tie-break order. */
  plain: Map<string, MachineTypeInfo[]>;
  gpu: MachineTypeInfo[];
  accelerators: MachineTypeInfo[];
}

// Indexes are cached by the identity of the catalog's list, so an overlay for one region gets its own.
const indexCache = new WeakMap<MachineTypeInfo[], TypeIndex>();

function buildIndex(list: MachineTypeInfo[]): TypeIndex {
  // Never chosen for a new pool: previous generations and retired sizes (see catalog/generation.ts).
  const usable = list.filter((t) => !t.previousGeneration && t.retiredOn === undefined).sort(byTieBreak);
  const plain = new Map<string, MachineTypeInfo[]>();
  for (const arch of ['x86_64', 'arm64'] as const) {
    for (const burstable of [false, true]) {
      for (const baremetal of [false, true]) {
        for (const constrained of [false, true]) {
          plain.set(
            indexKey(arch, burstable, baremetal, constrained),
            usable.filter(
              (t) =>
                t.arch === arch &&
                t.gpus === 0 &&
                t.category !== 'gpu' &&
                (burstable || !t.burstable) &&
                (baremetal || !t.baremetal) &&
                (constrained || !t.constrainedVcpu),
            ),
          );
        }
      }
    }
  }
  return {
    plain,
    gpu: usable.filter((t) => t.gpus > 0),
    accelerators: usable.filter((t) => t.gpus === 0 && t.category === 'gpu'),
  };
}

const indexKey = (arch: string, burstable: boolean, baremetal: boolean, constrained: boolean): string =>
  `${arch}|${burstable}|${baremetal}|${constrained}`;

function indexFor(list: MachineTypeInfo[]): TypeIndex {
  let idx = indexCache.get(list);
  if (!idx) {
    idx = buildIndex(list);
    indexCache.set(list, idx);
  }
  return idx;
}

/** First candidate (in tie-break order) with at least the memory and vCPUs asked for. */
function leastUpperBound(
  sorted: MachineTypeInfo[],
  vcpus: number,
  memoryGiB: number,
): MachineTypeInfo | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.memoryGiB < memoryGiB) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < sorted.length; i++) {
    const t = sorted[i]!;
    if (t.vcpus >= vcpus) return t;
  }
  return undefined;
}

/**
 * The least upper bound of a requirement among a cloud's types in a region: vCPU ≥ and memory ≥ the
 * source, same architecture, GPU rules, no burstable unless the source was, no previous generation;
 * minimising memory surplus, then vCPU surplus, then price, then name.
 */
export function chooseMachineType(
  catalog: Catalog,
  cloud: CloudId,
  region: string,
  req: MachineRequirement,
): MachineChoice {
  const list = catalog.machineTypes(cloud, region);
  const idx = indexFor(list);
  if (req.acceleratorModel) {
    const t = idx.accelerators
      .filter((c) => c.acceleratorModel === req.acceleratorModel && c.arch === req.arch)
      .find((c) => c.vcpus >= req.vcpus && c.memoryGiB >= req.memoryGiB);
    return t
      ? { ok: true, type: t }
      : { ok: false, reason: `no ${cloud} type in ${region} has a ${req.acceleratorModel} accelerator` };
  }
  if (req.gpus > 0) return chooseGpuType(idx.gpu, cloud, region, req);
  const candidates =
    idx.plain.get(indexKey(req.arch, req.burstable, req.baremetal, req.constrainedVcpu)) ?? [];
  const t = leastUpperBound(candidates, req.vcpus, req.memoryGiB);
  if (t) return { ok: true, type: t };
  return {
    ok: false,
    reason: `no current-generation ${req.arch} ${cloud} type in ${region} has ≥ ${req.vcpus} vCPU and ≥ ${req.memoryGiB} GiB`,
  };
}

function chooseGpuType(
  gpuTypes: MachineTypeInfo[],
  cloud: CloudId,
  region: string,
  req: MachineRequirement,
): MachineChoice {
  const chip = gpuChip(req.gpuModel);
  const enough = gpuTypes.filter((t) => t.arch === req.arch && t.gpus >= req.gpus);
  const sameChip = enough.filter((t) => gpuChip(t.gpuModel) === chip);
  const cls = chip ? GPU_CLASS[chip] : undefined;
  const sameClass = cls ? enough.filter((t) => GPU_CLASS[gpuChip(t.gpuModel) ?? ''] === cls) : [];
  for (const [pool, substituted] of [
    [sameChip, false],
    [sameClass, true],
  ] as const) {
    if (pool.length === 0) continue;
    const order = (a: MachineTypeInfo, b: MachineTypeInfo): number => a.gpus - b.gpus || byTieBreak(a, b);
    const fitting = pool.filter((t) => t.vcpus >= req.vcpus && t.memoryGiB >= req.memoryGiB).sort(order);
    const best = fitting[0];
    const sub = substituted ? { from: req.gpuModel ?? '?', to: '' } : undefined;
    if (best) {
      return sub
        ? { ok: true, type: best, gpuSubstituted: { ...sub, to: best.gpuModel ?? '' } }
        : { ok: true, type: best };
    }
    // The GPU count matters more than the host: take the largest host among the fewest GPUs.
    const host = [...pool].sort(
      (a, b) => a.gpus - b.gpus || b.memoryGiB - a.memoryGiB || b.vcpus - a.vcpus || byTieBreak(a, b),
    )[0]!;
    return {
      ok: true,
      type: host,
      hostSmaller: true,
      ...(sub ? { gpuSubstituted: { ...sub, to: host.gpuModel ?? '' } } : {}),
    };
  }
  return {
    ok: false,
    reason: `no ${cloud} type in ${region} has ≥ ${req.gpus} GPU of a model comparable to ${req.gpuModel ?? 'the source GPU'}`,
  };
}
