import type { Catalog, CloudId, MachineTypeInfo, RegionInfo } from '../catalog/types';
import { compareVersionStrings } from '../catalog/versions';
import type {
  ClonePlanItem,
  ClusterSpec,
  Decision,
  JsonValue,
  NodePoolSpec,
  PlanDropped,
  PlanWarning,
  TargetClusterSpec,
} from '../schemas';
import {
  isCloudManagedNodeLabel,
  isCloudManagedTaint,
  isLegalKubernetesLabel,
  LABEL_LIMITS,
  PROVENANCE_KEYS,
  portableLabelValue,
  sanitiseLabelKey,
  sanitiseLabelValue,
} from './labels';
import { AKS_ADDONS_NEEDING_CONFIG, mapAddon } from './addons';
import { nearestRegion, resolveLocation } from './location';
import { chooseMachineType, lookupMachineType, requirementOf } from './machine-type';
import { clusterNameRule, legalClusterName, legalPoolNames, poolNameRule } from './names';
import { chooseVersion } from './version';
import { zonesKeepingTotal } from './zones';

/** Where and how to clone to. */
export interface PlanTarget {
  cloud: CloudId;
  /** Region (or GKE zone for a zonal cluster). The user's choice always wins over the nearest region. */
  location?: string;
  /** Target account / subscription+resource group / project; absent = chosen at apply time. */
  scope?: string;
  namePrefix?: string;
  nameSuffix?: string;
  /** Override of the chosen Kubernetes version (checked against the catalog). */
  kubernetesVersion?: string;
  /** Secrets-encryption key in the target account (a key reference cannot cross clouds). */
  secretsKeyRef?: string;
}

export interface TranslationIssue {
  /** Path inside the source cluster (e.g. `nodePools[1].machineType`). */
  path: string;
  message: string;
}

export type TranslationResult = { ok: true; item: ClonePlanItem } | { ok: false; errors: TranslationIssue[] };

export const SERVICE_NAME: Record<CloudId, string> = { aws: 'EKS', azure: 'AKS', gcp: 'GKE' };

const json = (v: unknown): JsonValue => v as JsonValue;
const labelPath = (base: string, key: string): string => intern(`${base}[${JSON.stringify(key)}]`);
const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

interface Notes {
  /** Source and target clouds: part of the key under which identical decisions are shared. */
  sourceCloud: CloudId;
  cloud: CloudId;
  decisions: Decision[];
  warnings: PlanWarning[];
  dropped: PlanDropped[];
  errors: TranslationIssue[];
}

// Plans repeat the same paths and reasons across thousands of clusters; keeping one copy of each
// string keeps a 10,000-cluster plan small enough for the garbage collector to stay out of the way.
const internTable = new Map<string, string>();
function intern(s: string): string {
  const hit = internTable.get(s);
  if (hit !== undefined) return hit;
  if (internTable.size > 50_000) internTable.clear();
  internTable.set(s, s);
  return s;
}

// Decisions with plain from/to values (cloud, version, location, provenance labels, pool names...)
// repeat across clusters; they are shared, frozen objects, so a large plan holds one copy of each.
// The reason is a function of the key (clouds, path, from, to, rule) plus `extraKey` where a reason
// depends on more (e.g. the zone count behind a GKE rounding).
const decisionTable = new Map<string, Decision>();

function decide(
  n: Notes,
  path: string,
  from: unknown,
  to: unknown,
  rule: string,
  reason: string,
  extraKey = '',
): void {
  const plain =
    (from === undefined ||
      typeof from === 'string' ||
      typeof from === 'number' ||
      typeof from === 'boolean') &&
    (to === undefined || typeof to === 'string' || typeof to === 'number' || typeof to === 'boolean');
  if (plain) {
    const key = `${n.sourceCloud}|${n.cloud}|${path}|${typeof from}:${String(from)}|${typeof to}:${String(to)}|${rule}|${extraKey}`;
    let d = decisionTable.get(key);
    if (!d) {
      if (decisionTable.size > 50_000) decisionTable.clear();
      d = { path, rule, reason };
      if (from !== undefined) d.from = json(from);
      if (to !== undefined) d.to = json(to);
      Object.freeze(d);
      decisionTable.set(key, d);
    }
    n.decisions.push(d);
    return;
  }
  const d: Decision = { path: intern(path), rule, reason: intern(reason) };
  if (from !== undefined) d.from = json(from);
  if (to !== undefined) d.to = json(to);
  n.decisions.push(d);
}

function warn(n: Notes, path: string, code: string, message: string, severity?: 'warning' | 'error'): void {
  n.warnings.push(severity ? { path, code, message, severity } : { path, code, message });
}

function drop(n: Notes, path: string, code: string, message: string): void {
  n.dropped.push({ path, code, message });
}

// Disk classes: what the source's disk type means, and each cloud's type for that meaning.
// AWS st1/sc1 cannot be boot volumes, so HDD maps to gp3 on EKS.
type DiskClass = 'hdd' | 'balanced' | 'performance';
const DISK_CLASS: Record<string, DiskClass> = {
  gp2: 'balanced',
  gp3: 'balanced',
  io1: 'performance',
  io2: 'performance',
  standard: 'hdd',
  'pd-standard': 'hdd',
  'pd-balanced': 'balanced',
  'hyperdisk-balanced': 'balanced',
  'pd-ssd': 'performance',
  'pd-extreme': 'performance',
  Managed: 'balanced',
  // AKS ephemeral OS disks live on the VM's local cache; no other cloud boots node pools from local
  // disks, so the nearest meaning is the general-purpose SSD boot volume.
  Ephemeral: 'balanced',
};
// AKS osDiskType is Managed or Ephemeral; Ephemeral needs a VM whose cache/temp disk holds the OS
// disk, which Dolly cannot check from the catalog, so the AKS target is always Managed.
const DISK_TYPE_FOR: Record<CloudId, Record<DiskClass, string>> = {
  aws: { hdd: 'gp3', balanced: 'gp3', performance: 'io2' },
  gcp: { hdd: 'pd-standard', balanced: 'pd-balanced', performance: 'pd-ssd' },
  azure: { hdd: 'Managed', balanced: 'Managed', performance: 'Managed' },
};
// Smallest boot disk: EKS AL2023 AMIs have a 20 GB snapshot; GKE boot disks are at least 10 GB.
const MIN_DISK_GB: Record<CloudId, number> = { aws: 20, azure: 1, gcp: 10 };
// Max pods per node: GKE 8-256 (flexible pod CIDR docs), AKS 10-250 (AKS "Maximum pods per node").
// EKS has no API range; 250 is the largest EKS recommends even with prefix delegation.
const MAX_PODS_RANGE: Record<CloudId, [number, number]> = { aws: [1, 250], azure: [10, 250], gcp: [8, 256] };
// GKE regional clusters put node pools in three zones of the region unless told otherwise.
const GKE_DEFAULT_ZONE_COUNT = 3;

const NATIVE_PLUGIN: Record<CloudId, string> = { aws: 'vpc-cni', azure: 'azure', gcp: 'gke-native' };

interface Context {
  catalog: Catalog;
  source: ClusterSpec;
  target: PlanTarget;
  region: RegionInfo;
  zone?: string;
  sameCloud: boolean;
  sameRegion: boolean;
  clusterVersion: string;
  notes: Notes;
}

// Per-catalog memo of answers that depend only on (source location, target cloud) or (source type,
// target cloud, region): planning thousands of clusters repeats them, and they are immutable.
const nearestCache = new WeakMap<Catalog, Map<string, { region: RegionInfo; decision: Decision } | null>>();
const machineCache = new WeakMap<Catalog, Map<string, MachineAnswer>>();

type MachineAnswer =
  | {
      ok: true;
      type: MachineTypeInfo;
      decision: Omit<Decision, 'path'>;
      /** The decision per pool path, shared: its reason depends on this catalog's specs. */
      byPath: Map<string, Decision>;
      warnings: { code: string; message: string }[];
    }
  | { ok: false; message: string };

function memoFor<V>(map: WeakMap<Catalog, Map<string, V>>, catalog: Catalog): Map<string, V> {
  let m = map.get(catalog);
  if (!m) {
    m = new Map();
    map.set(catalog, m);
  }
  return m;
}

function nearestLocation(
  catalog: Catalog,
  sourceCloud: CloudId,
  sourceLocation: string,
  sourceRegion: RegionInfo,
  tc: CloudId,
): { region: RegionInfo; decision: Decision } | undefined {
  const memo = memoFor(nearestCache, catalog);
  const key = `${sourceCloud}|${sourceLocation}|${tc}`;
  let answer = memo.get(key);
  if (answer === undefined) {
    const nearest = nearestRegion(sourceRegion, catalog.regions(tc));
    if (!nearest) {
      answer = null;
    } else {
      const region = nearest.region;
      const km =
        nearest.distanceKm === undefined ? 'distance unknown' : `${Math.round(nearest.distanceKm)} km`;
      const scopeText = {
        'same-country': `in the same country (${sourceRegion.country})`,
        'same-geography': `in the same geography (${sourceRegion.geography}); none in ${sourceRegion.country}`,
        anywhere: `anywhere; none in ${sourceRegion.country} or ${sourceRegion.geography}`,
      }[nearest.tier];
      answer = {
        region,
        decision: {
          path: 'location',
          from: sourceLocation,
          to: region.id,
          rule: `location.nearest-${nearest.tier}`,
          reason: `${sourceLocation} (${sourceRegion.displayName}) -> ${region.id} (${region.displayName}), ${km}; nearest ${SERVICE_NAME[tc]} region ${scopeText}`,
        },
      };
    }
    memo.set(key, answer);
  }
  return answer ?? undefined;
}

function machineAnswer(
  catalog: Catalog,
  srcType: MachineTypeInfo,
  tc: CloudId,
  region: string,
): MachineAnswer {
  const memo = memoFor(machineCache, catalog);
  const key = `${srcType.cloud}|${srcType.name}|${tc}|${region}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const choice = chooseMachineType(catalog, tc, region, requirementOf(srcType));
  let answer: MachineAnswer;
  if (!choice.ok) {
    answer = { ok: false, message: choice.reason };
  } else {
    const t = choice.type;
    const traits = [
      srcType.gpus > 0 ? `${t.gpus}× ${t.gpuModel}` : 'no GPU',
      t.burstable ? 'burstable like the source' : 'not burstable',
      'current generation',
    ].join(', ');
    const warnings: { code: string; message: string }[] = [];
    if (choice.gpuSubstituted) {
      warnings.push({
        code: 'machine-type.gpu-model-substituted',
        message: `${tc} has no ${choice.gpuSubstituted.from}; ${choice.gpuSubstituted.to} is the closest GPU class: check drivers and performance`,
      });
    }
    if (choice.hostSmaller) {
      warnings.push({
        code: 'machine-type.gpu-host-smaller',
        message: `no ${t.gpuModel} type has ${srcType.vcpus} vCPU / ${srcType.memoryGiB} GiB with ${srcType.gpus} GPU; ${t.name} has ${t.vcpus} vCPU / ${t.memoryGiB} GiB`,
      });
    }
    answer = {
      ok: true,
      type: t,
      decision: {
        from: srcType.name,
        to: t.name,
        rule: 'machine-type.least-upper-bound',
        reason: `${srcType.vcpus} vCPU / ${srcType.memoryGiB} GiB -> ${t.vcpus} vCPU / ${t.memoryGiB} GiB; smallest ${t.arch} ${SERVICE_NAME[tc]} type that fits (${traits})`,
      },
      byPath: new Map(),
      warnings,
    };
  }
  memo.set(key, answer);
  return answer;
}

/** Translates one cluster into the target cloud's model; every change is a decision. */
export function translateCluster(
  source: ClusterSpec,
  target: PlanTarget,
  catalog: Catalog,
  options: { planId: string },
): TranslationResult {
  const notes: Notes = {
    sourceCloud: source.cloud,
    cloud: target.cloud,
    decisions: [],
    warnings: [],
    dropped: [],
    errors: [],
  };
  const tc = target.cloud;
  const sameCloud = source.cloud === tc;
  const srcLoc = resolveLocation(catalog, source.cloud, source.location);

  // Location
  let region: RegionInfo;
  let zone: string | undefined;
  let location: string;
  if (target.location) {
    const resolved = resolveLocation(catalog, tc, target.location);
    if (!resolved) {
      return fail('location', `"${target.location}" is not a location offering ${SERVICE_NAME[tc]} on ${tc}`);
    }
    region = resolved.region;
    zone = resolved.zone;
    location = target.location;
    if (location !== source.location) {
      decide(
        notes,
        'location',
        source.location,
        location,
        'location.explicit',
        'target location given by the user',
      );
    }
  } else if (sameCloud && srcLoc) {
    region = srcLoc.region;
    zone = srcLoc.zone;
    location = source.location;
  } else {
    if (!srcLoc) return fail('location', `unknown ${source.cloud} location "${source.location}"`);
    const nearest = nearestLocation(catalog, source.cloud, source.location, srcLoc.region, tc);
    if (!nearest) return fail('location', `no ${tc} region offers ${SERVICE_NAME[tc]}`);
    region = nearest.region;
    location = region.id;
    notes.decisions.push(nearest.decision);
    if (source.cloud === 'gcp' && srcLoc.zone) {
      // A zonal GKE source becomes a regional cluster elsewhere: the control plane gains replicas.
      decide(
        notes,
        'location',
        source.location,
        location,
        'location.zonal-to-regional',
        'other clouds have regional control planes',
      );
    }
  }

  const ctx: Context = {
    catalog,
    source,
    target,
    region,
    sameCloud,
    sameRegion: sameCloud && srcLoc?.region.id === region.id,
    clusterVersion: '',
    notes,
  };
  if (zone !== undefined) ctx.zone = zone;

  // Cloud and scope
  if (!sameCloud) decide(notes, 'cloud', source.cloud, tc, 'target.cloud', `cloning to ${SERVICE_NAME[tc]}`);
  let scope: string | undefined = target.scope ?? (sameCloud ? source.scope : undefined);
  if (scope !== undefined && scope !== source.scope) {
    decide(notes, 'scope', source.scope, scope, 'target.scope', 'target account given by the user');
  }
  if (scope === undefined) {
    decide(
      notes,
      'scope',
      source.scope,
      undefined,
      'target.scope-at-apply',
      'no target account given: apply uses the account it runs with',
    );
    scope = undefined;
  }

  // Name
  const wanted = `${target.namePrefix ?? ''}${source.name}${target.nameSuffix ?? ''}`;
  const name = legalClusterName(tc, wanted);
  if (name !== source.name) {
    const why = name === wanted ? 'prefix/suffix requested' : `made legal: ${clusterNameRule(tc)}`;
    decide(notes, 'name', source.name, name, name === wanted ? 'name.affixed' : 'name.legalised', why);
  }

  // Kubernetes version
  let clusterVersion: string;
  if (target.kubernetesVersion) {
    if (!catalog.isSupportedVersion(tc, target.kubernetesVersion, region.id)) {
      return fail('kubernetesVersion', `${SERVICE_NAME[tc]} does not support "${target.kubernetesVersion}"`);
    }
    clusterVersion = target.kubernetesVersion;
    if (clusterVersion !== source.kubernetesVersion) {
      decide(
        notes,
        'kubernetesVersion',
        source.kubernetesVersion,
        clusterVersion,
        'kubernetes-version.explicit',
        'version given by the user',
      );
    }
  } else {
    const v = chooseVersion(catalog, source.kubernetesVersion, tc, region.id);
    if ('error' in v) return fail('kubernetesVersion', v.error);
    clusterVersion = v.version;
    if (v.version !== source.kubernetesVersion) {
      decide(notes, 'kubernetesVersion', source.kubernetesVersion, v.version, v.rule, v.reason);
    }
    if (v.warning) warn(notes, 'kubernetesVersion', v.warning.code, v.warning.message, v.warning.severity);
  }
  ctx.clusterVersion = clusterVersion;

  const labels = translateClusterLabels(ctx, options.planId);

  const out: TargetClusterSpec = {
    cloud: tc,
    location,
    name,
    kubernetesVersion: clusterVersion,
    labels,
    nodePools: [],
  };
  if (scope !== undefined) out.scope = scope;
  if (source.environment !== undefined) out.environment = source.environment;
  if (source.endpoint)
    out.endpoint = { ...source.endpoint, authorizedCidrs: [...source.endpoint.authorizedCidrs] };
  const network = translateNetwork(ctx);
  if (network) out.network = network;
  const keyRef = translateSecrets(ctx);
  if (keyRef) out.secretsEncryption = { keyRef };

  out.nodePools = translatePools(ctx);
  const addons = translateAddons(ctx, out.nodePools);
  if (addons) out.addons = addons;

  if (notes.errors.length > 0) return { ok: false, errors: notes.errors };
  return {
    ok: true,
    item: {
      source,
      target: out,
      decisions: notes.decisions,
      warnings: notes.warnings,
      dropped: notes.dropped,
    },
  };

  function fail(path: string, message: string): TranslationResult {
    return { ok: false, errors: [...notes.errors, { path, message }] };
  }
}

// Label keys and values repeat across clusters (team=..., env=...); sanitising is regex work.
const keyMemo = new Map<string, string | null>();
const valueMemo = new Map<string, string>();
function legalKey(cloud: CloudId, key: string): string | undefined {
  const memoKey = `${cloud}\u0000${key}`;
  let k = keyMemo.get(memoKey);
  if (k === undefined) {
    if (keyMemo.size > 50_000) keyMemo.clear();
    k = sanitiseLabelKey(cloud, key) ?? null;
    keyMemo.set(memoKey, k);
  }
  return k ?? undefined;
}
function legalValue(cloud: CloudId, value: string): string {
  const memoKey = `${cloud}\u0000${value}`;
  let v = valueMemo.get(memoKey);
  if (v === undefined) {
    if (valueMemo.size > 50_000) valueMemo.clear();
    // GCP rules are the strictest: a value legal there is legal on all three clouds.
    v = cloud === 'gcp' ? portableLabelValue(value) : sanitiseLabelValue(cloud, value);
    valueMemo.set(memoKey, v);
  }
  return v;
}

function translateClusterLabels(ctx: Context, planId: string): Record<string, string> {
  const { source, notes } = ctx;
  const tc = ctx.target.cloud;
  const out: Record<string, string> = {};
  const provenance: Record<string, string> = {
    'dolly-source-cloud': source.cloud,
    'dolly-source-cluster': legalValue('gcp', source.name),
    'dolly-plan': legalValue('gcp', planId),
  };
  const userRoom = LABEL_LIMITS[tc] - PROVENANCE_KEYS.length;
  let kept = 0;
  for (const [key, value] of Object.entries(source.labels)) {
    if ((PROVENANCE_KEYS as readonly string[]).includes(key)) continue; // replaced below
    // Tags under aws: are created by AWS itself (CloudFormation, EKS); they describe the source only.
    if (source.cloud === 'aws' && /^aws:/i.test(key)) {
      drop(
        notes,
        labelPath('labels', key),
        'label.cloud-managed',
        `"${key}" is a tag AWS created for the source; it is not carried`,
      );
      continue;
    }
    const k = legalKey(tc, key);
    if (k === undefined) {
      drop(
        notes,
        labelPath('labels', key),
        'label.illegal-key',
        `"${key}" cannot be a ${tc} label key (reserved or no legal form)`,
      );
      continue;
    }
    if (k in out) {
      drop(
        notes,
        labelPath('labels', key),
        'label.collision',
        `"${key}" becomes "${k}", which another label already uses`,
      );
      continue;
    }
    if (kept >= userRoom) {
      drop(
        notes,
        labelPath('labels', key),
        'label.limit',
        `${tc} allows ${LABEL_LIMITS[tc]} labels, including Dolly's ${PROVENANCE_KEYS.length} provenance labels`,
      );
      continue;
    }
    const v = legalValue(tc, value);
    out[k] = v;
    kept++;
    if (k !== key || v !== value) {
      decide(
        notes,
        labelPath('labels', k),
        { key, value },
        { key: k, value: v },
        'labels.sanitised',
        `made legal for ${tc} labels/tags`,
      );
    }
  }
  for (const [key, value] of Object.entries(provenance)) {
    out[key] = value;
    if (source.labels[key] !== value) {
      decide(
        notes,
        labelPath('labels', key),
        source.labels[key],
        value,
        'labels.provenance',
        'Dolly provenance label: where this cluster was cloned from',
      );
    }
  }
  return out;
}

function translateNetwork(ctx: Context): ClusterSpec['network'] | undefined {
  const { source, notes } = ctx;
  const tc = ctx.target.cloud;
  const src = source.network;
  if (!src) return undefined;
  if (ctx.sameCloud) return { ...src };
  const out: NonNullable<ClusterSpec['network']> = {};
  if (src.plugin !== undefined) {
    out.plugin = NATIVE_PLUGIN[tc];
    const what: Record<CloudId, string> = {
      aws: 'the Amazon VPC CNI (pods get VPC addresses)',
      azure: 'Azure CNI (overlay when a pod CIDR is set)',
      gcp: 'GKE VPC-native networking (alias IP ranges)',
    };
    decide(
      notes,
      'network.plugin',
      src.plugin,
      out.plugin,
      'network.native-plugin',
      `${SERVICE_NAME[tc]} uses ${what[tc]}`,
    );
  }
  if (src.podCidr !== undefined) {
    if (tc === 'aws') {
      // The VPC CNI gives pods addresses from the VPC subnets; there is no cluster pod CIDR on EKS.
      drop(
        notes,
        'network.podCidr',
        'network.pod-cidr-unsupported',
        `EKS assigns pod IPs from the VPC subnets; size the subnets for ${src.podCidr} worth of pods`,
      );
    } else {
      out.podCidr = src.podCidr;
    }
  }
  if (src.serviceCidr !== undefined) out.serviceCidr = src.serviceCidr;
  if (tc === 'azure' && out.podCidr !== undefined) {
    // Azure CNI takes a pod CIDR only in overlay mode; without it pods would need VNet addresses.
    out.pluginMode = 'overlay';
    decide(
      notes,
      'network.pluginMode',
      src.pluginMode,
      'overlay',
      'network.aks-overlay',
      'Azure CNI overlay gives pods addresses from the pod CIDR, as the source did',
    );
  } else if (src.pluginMode !== undefined) {
    decide(
      notes,
      'network.pluginMode',
      src.pluginMode,
      undefined,
      'network.native-plugin',
      `${SERVICE_NAME[tc]} has no plugin modes: its native networking is used`,
    );
  }
  if (src.dnsServiceIp !== undefined) {
    drop(
      notes,
      'network.dnsServiceIp',
      'network.dns-service-ip-not-settable',
      `${SERVICE_NAME[tc]} chooses the cluster DNS address itself (inside the service CIDR); workloads that hard-code ${src.dnsServiceIp} need the new address`,
    );
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function translateSecrets(ctx: Context): string | undefined {
  const { source, notes, target } = ctx;
  const src = source.secretsEncryption;
  if (target.secretsKeyRef) {
    if (target.secretsKeyRef !== src?.keyRef) {
      decide(
        notes,
        'secretsEncryption.keyRef',
        src?.keyRef,
        target.secretsKeyRef,
        'secrets-encryption.target-key',
        'key from the target account settings',
      );
    }
    return target.secretsKeyRef;
  }
  if (!src) return undefined;
  // KMS keys are regional (AWS), Key Vault keys belong to a subscription, Cloud KMS key rings must
  // share the cluster's location: a key only carries within the same account and region.
  if (ctx.sameRegion && (target.scope === undefined || target.scope === source.scope)) return src.keyRef;
  drop(
    notes,
    'secretsEncryption',
    'secrets-encryption.key-not-portable',
    `key ${src.keyRef} cannot be used by ${SERVICE_NAME[target.cloud]} in ${ctx.region.id}; set a key of the target account (${keyKind(target.cloud)}) in the plan or the account settings. Until then secrets are encrypted at rest with the cloud's own keys.`,
  );
  return undefined;
}

function keyKind(cloud: CloudId): string {
  return {
    aws: 'a KMS key ARN in the region',
    azure: 'a Key Vault key id',
    gcp: 'a Cloud KMS key in the cluster location',
  }[cloud];
}

function translateAddons(ctx: Context, pools: NodePoolSpec[]): string[] | undefined {
  const { source, notes } = ctx;
  const tc = ctx.target.cloud;
  const out = new Set<string>();
  const reasons: string[] = [];
  let rule = 'features.built-in';
  for (const a of source.addons ?? []) {
    const m = mapAddon(source.cloud, a, tc);
    if (m.kind === 'same' && tc === 'azure' && AKS_ADDONS_NEEDING_CONFIG.has(a)) {
      drop(
        notes,
        labelPath('addons', a),
        'addon.needs-settings',
        `AKS add-on ${a} needs settings Dolly does not carry (workspace, gateway or subnet ids); enable it on the clone after apply`,
      );
    } else if (m.kind === 'same') {
      out.add(a);
    } else if (m.kind === 'equivalent') {
      out.add(m.name);
      rule = 'addons.equivalent';
      reasons.push(`${a} -> ${m.name} (${m.what})`);
    } else if (m.kind === 'built-in') {
      reasons.push(`${a}: ${SERVICE_NAME[tc]} has the ${m.what} built in`);
    } else {
      drop(
        notes,
        labelPath('addons', a),
        'addon.not-on-target',
        `${SERVICE_NAME[source.cloud]} add-on ${a} has no ${SERVICE_NAME[tc]} equivalent Dolly can enable; install the matching component after apply`,
      );
    }
  }
  if (tc === 'aws' && !out.has('aws-ebs-csi-driver')) {
    out.add('aws-ebs-csi-driver');
    if (rule === 'features.built-in') rule = 'features.eks-ebs-csi-driver';
    reasons.push('persistent volumes on EKS need the aws-ebs-csi-driver add-on (built in on AKS and GKE)');
  }
  const addons = out.size > 0 ? [...out].sort() : undefined;
  if (!sameJson(addons, source.addons)) {
    const why =
      reasons.length > 0 ? reasons.join('; ') : 'add-ons the target cannot enable are listed under dropped';
    decide(notes, 'addons', source.addons, addons, rule, why);
  }
  if (tc !== 'aws') return addons;
  const autoscaled = pools.findIndex((p) => p.autoscaling !== undefined);
  if (autoscaled >= 0 && source.cloud !== 'aws') {
    // Managed node groups carry min/max, but nothing scales them until an autoscaler runs.
    warn(
      notes,
      `nodePools[${autoscaled}].autoscaling`,
      'features.eks-cluster-autoscaler',
      'EKS has no built-in cluster autoscaler: install cluster-autoscaler or Karpenter after apply, or the min/max sizes are never acted on',
    );
  }
  return addons;
}

function translatePools(ctx: Context): NodePoolSpec[] {
  const { source, notes, catalog, region } = ctx;
  const tc = ctx.target.cloud;
  const names = legalPoolNames(
    tc,
    source.nodePools.map((p) => ({ name: p.name, ...(p.os ? { os: p.os } : {}) })),
  );
  const pools: NodePoolSpec[] = [];
  source.nodePools.forEach((pool, i) => {
    const base = `nodePools[${i}]`;
    const out: NodePoolSpec = {
      name: names[i]!,
      machineType: pool.machineType,
      nodeCount: pool.nodeCount,
      spot: pool.spot,
      labels: {},
      taints: [],
    };
    if (out.name !== pool.name) {
      decide(
        notes,
        `${base}.name`,
        pool.name,
        out.name,
        'name.legalised',
        `made legal and unique: ${poolNameRule(tc, pool.os)}`,
        pool.os ?? '',
      );
    }

    // Machine type
    const srcType = lookupMachineType(catalog, source.cloud, pool.machineType);
    let targetType: MachineTypeInfo | undefined;
    const kept = ctx.sameCloud ? catalog.machineType(tc, pool.machineType, region.id) : undefined;
    if (kept && kept.retiredOn === undefined) {
      targetType = kept;
    } else if (!srcType) {
      notes.errors.push({
        path: `${base}.machineType`,
        message: `pool "${pool.name}": unknown ${source.cloud} machine type "${pool.machineType}" (not in the catalog)`,
      });
    } else {
      const answer = machineAnswer(catalog, srcType, tc, region.id);
      if (!answer.ok) {
        notes.errors.push({
          path: `${base}.machineType`,
          message: `pool "${pool.name}" (${pool.machineType}): ${answer.message}`,
        });
      } else {
        targetType = answer.type;
        out.machineType = answer.type.name;
        const path = `${base}.machineType`;
        let d = answer.byPath.get(path);
        if (!d) {
          d = Object.freeze({ path, ...answer.decision });
          answer.byPath.set(path, d);
        }
        notes.decisions.push(d);
        for (const w of answer.warnings) warn(notes, `${base}.machineType`, w.code, w.message);
      }
    }

    translateZonesAndCounts(ctx, pool, out, base);

    // Spot
    const isSystem = tc === 'azure' && ctx.source.cloud === 'azure' && pool.mode === 'system';
    if (pool.spot && isSystem) {
      // AKS refuses Spot priority on system pools (AKS spot node pool limitations).
      out.spot = false;
      decide(
        notes,
        `${base}.spot`,
        true,
        false,
        'spot.aks-system-pool',
        'AKS system pools cannot use Spot VMs',
      );
    } else if (pool.spot && tc === 'azure') {
      warn(
        notes,
        `${base}.spot`,
        'spot.aks-taint',
        'AKS taints Spot pools with kubernetes.azure.com/scalesetpriority=spot:NoSchedule: workloads need that toleration',
      );
    }

    // Node labels and taints the user set (cloud-added ones are not carried)
    for (const [key, value] of Object.entries(pool.labels)) {
      if (isCloudManagedNodeLabel(key)) {
        decide(
          notes,
          labelPath(`${base}.labels`, key),
          value,
          undefined,
          'node-labels.cloud-managed',
          'set by the source cloud, not by the user; the target cloud sets its own',
        );
      } else if (!isLegalKubernetesLabel(key, value)) {
        drop(
          notes,
          labelPath(`${base}.labels`, key),
          'node-label.illegal',
          `"${key}=${value}" is not a valid Kubernetes label`,
        );
      } else {
        out.labels[key] = value;
      }
    }
    out.taints = pool.taints.filter((t) => !isCloudManagedTaint(t.key)).map((t) => ({ ...t }));
    if (out.taints.length !== pool.taints.length) {
      decide(
        notes,
        `${base}.taints`,
        pool.taints,
        out.taints,
        'taints.cloud-managed',
        'taints the source cloud added itself (spot, GPU) are not user taints; the target cloud adds its own',
      );
    }

    // Autoscaling
    if (pool.autoscaling) {
      out.autoscaling = { ...pool.autoscaling };
      if (isSystem && out.autoscaling.minNodes < 1) {
        decide(
          notes,
          `${base}.autoscaling.minNodes`,
          pool.autoscaling.minNodes,
          1,
          'autoscaling.aks-system-min',
          'AKS system pools keep at least one node',
        );
        out.autoscaling.minNodes = 1;
      }
    }

    // Disk
    if (pool.diskSizeGb !== undefined) {
      out.diskSizeGb = Math.max(pool.diskSizeGb, MIN_DISK_GB[tc]);
      if (out.diskSizeGb !== pool.diskSizeGb) {
        decide(
          notes,
          `${base}.diskSizeGb`,
          pool.diskSizeGb,
          out.diskSizeGb,
          'disk.minimum-size',
          `${SERVICE_NAME[tc]} boot disks are at least ${MIN_DISK_GB[tc]} GB`,
        );
      }
    }
    if (pool.diskType !== undefined && tc === 'aws') {
      drop(
        notes,
        `${base}.diskType`,
        'disk.type-needs-launch-template',
        `EKS node groups set the volume type only through a launch template, which Dolly does not create: the node group gets EKS's default gp3 boot volume (source: ${pool.diskType}); add a launch template after apply if it matters`,
      );
    } else if (pool.diskType !== undefined) {
      if (ctx.sameCloud) {
        out.diskType = pool.diskType;
      } else {
        const cls = DISK_CLASS[pool.diskType];
        if (cls) {
          out.diskType = DISK_TYPE_FOR[tc][cls];
          decide(
            notes,
            `${base}.diskType`,
            pool.diskType,
            out.diskType,
            'disk.type-class',
            `${pool.diskType} is a ${cls} disk; ${out.diskType} is ${SERVICE_NAME[tc]}'s ${cls === 'hdd' && tc === 'aws' ? 'boot-capable equivalent (st1/sc1 cannot boot)' : 'equivalent'}`,
          );
        } else {
          drop(
            notes,
            `${base}.diskType`,
            'disk.type-unknown',
            `disk type "${pool.diskType}" is not known to Dolly; the target cloud's default boot disk is used`,
          );
        }
      }
    }

    // Max pods
    if (pool.maxPods !== undefined && tc === 'aws') {
      const eksDefault = targetType?.maxPodsDefault;
      drop(
        notes,
        `${base}.maxPods`,
        'max-pods.needs-launch-template',
        `EKS node groups set max pods only through a launch template (kubelet maxPods), which Dolly does not create: ${targetType?.name ?? out.machineType} runs ${eksDefault ?? "the VPC CNI's ENI-limited number of"} pods per node by default (source: ${pool.maxPods})${eksDefault !== undefined && pool.maxPods > eksDefault ? '; more needs prefix delegation and a launch template' : ''}`,
      );
    } else if (pool.maxPods !== undefined) {
      const [lo, hi] = MAX_PODS_RANGE[tc];
      out.maxPods = Math.min(hi, Math.max(lo, pool.maxPods));
      if (out.maxPods !== pool.maxPods) {
        decide(
          notes,
          `${base}.maxPods`,
          pool.maxPods,
          out.maxPods,
          'max-pods.range',
          `${SERVICE_NAME[tc]} allows ${lo}-${hi} pods per node`,
        );
      }
    }

    // Version (never above the control plane)
    if (pool.kubernetesVersion !== undefined) {
      const v = chooseVersion(catalog, pool.kubernetesVersion, tc, region.id, ctx.clusterVersion);
      if ('error' in v) {
        notes.errors.push({ path: `${base}.kubernetesVersion`, message: v.error });
      } else {
        out.kubernetesVersion = v.version;
        if (v.version !== pool.kubernetesVersion)
          decide(notes, `${base}.kubernetesVersion`, pool.kubernetesVersion, v.version, v.rule, v.reason);
      }
    }

    // The architecture follows the machine type (the catalog knows it even when the source API did
    // not say): recorded on every pool so the target's images (EKS AMI type) match the type.
    const arch = targetType?.arch ?? pool.arch;
    if (arch === 'arm64' && tc === 'gcp' && source.cloud !== 'gcp') {
      warn(
        notes,
        `${base}.arch`,
        'arch.gke-arm64-taint',
        'GKE taints Arm nodes with kubernetes.io/arch=arm64:NoSchedule: workloads need that toleration (or a kubernetes.io/arch node selector, which GKE turns into the toleration)',
      );
    }
    if (arch !== undefined) {
      out.arch = arch;
      if (pool.arch === undefined) {
        decide(
          notes,
          `${base}.arch`,
          undefined,
          arch,
          'arch.from-machine-type',
          `${out.machineType} is ${arch}`,
          out.machineType,
        );
      }
    }
    if (pool.os !== undefined) out.os = pool.os;
    if (pool.mode !== undefined) {
      if (tc === 'azure') out.mode = pool.mode;
      else
        decide(
          notes,
          `${base}.mode`,
          pool.mode,
          undefined,
          'mode.aks-only',
          `${SERVICE_NAME[tc]} has no system/user pool modes`,
        );
    }
    pools.push(out);
  });

  if (tc === 'azure' && !pools.some((p) => p.mode === 'system')) addAksSystemPool(ctx, pools);
  return pools;
}

function translateZonesAndCounts(ctx: Context, pool: NodePoolSpec, out: NodePoolSpec, base: string): void {
  const { notes, region } = ctx;
  const tc = ctx.target.cloud;
  const available = region.zones;
  let zones: string[] | undefined;
  if (ctx.sameRegion) {
    zones = pool.zones ? [...pool.zones] : undefined;
  } else if (tc === 'gcp' && ctx.zone) {
    zones = [ctx.zone];
    if (!sameJson(zones, pool.zones)) {
      decide(
        notes,
        `${base}.zones`,
        pool.zones,
        zones,
        'zones.gke-zonal',
        `a zonal GKE cluster keeps its nodes in ${ctx.zone}`,
      );
    }
    if (pool.zones && pool.zones.length > 1)
      warn(
        notes,
        `${base}.zones`,
        'zones.reduced',
        `${pool.zones.length} zones -> 1: the zonal cluster loses zone redundancy`,
      );
  } else if (pool.zones && pool.zones.length > 0) {
    if (available.length === 0) {
      drop(
        notes,
        `${base}.zones`,
        'zones.region-has-no-zones',
        `${region.id} has no availability zones: nodes cannot be spread over ${pool.zones.length} zones`,
      );
    } else {
      zones = available.slice(0, pool.zones.length);
      decide(
        notes,
        `${base}.zones`,
        pool.zones,
        zones,
        'zones.first-n',
        `same number of zones, the first ${zones.length} of ${region.id} in order`,
      );
      if (zones.length < pool.zones.length) {
        warn(
          notes,
          `${base}.zones`,
          'zones.reduced',
          `${region.id} has ${available.length} zones; the source used ${pool.zones.length}`,
        );
      }
    }
  } else if (tc === 'gcp' && available.length > 0) {
    // GKE regional pools default to three zones; name them so the node count stays a total.
    zones = available.slice(0, GKE_DEFAULT_ZONE_COUNT);
    decide(
      notes,
      `${base}.zones`,
      undefined,
      zones,
      'zones.gke-regional-default',
      `GKE regional node pools run in ${zones.length} zones of the region by default; made explicit so counts stay totals`,
    );
  }
  if (zones !== undefined) out.zones = zones;

  // GKE counts nodes per zone: the total must divide evenly, so fewer zones rather than more nodes.
  if (tc === 'gcp' && zones && zones.length > 1) {
    const kept = zonesKeepingTotal(zones, out.nodeCount);
    if (kept.length < zones.length) {
      decide(
        notes,
        `${base}.zones`,
        pool.zones,
        kept,
        'zones.gke-keep-total',
        `GKE sets nodes per zone: ${out.nodeCount} nodes do not divide over ${zones.length} zones, so the pool uses ${kept.length} zone(s) with ${out.nodeCount / kept.length} each and the total stays ${out.nodeCount}`,
        String(zones.length),
      );
      warn(
        notes,
        `${base}.zones`,
        'zones.reduced-to-keep-total',
        `${zones.length} zones -> ${kept.length} so the pool keeps exactly ${out.nodeCount} nodes (GKE counts nodes per zone); make the total a multiple of ${zones.length} to spread it over ${zones.length} zones`,
      );
      out.zones = kept;
    }
  }
}

function addAksSystemPool(ctx: Context, pools: NodePoolSpec[]): void {
  const { notes, catalog, region } = ctx;
  // AKS system pools need at least 2 vCPU and 4 GiB and should not be burstable (AKS "system node
  // pools" docs); three nodes across zones is the production recommendation. The CriticalAddonsOnly
  // taint keeps the cloned workloads on their own pools.
  const choice = chooseMachineType(catalog, 'azure', region.id, {
    vcpus: 2,
    memoryGiB: 4,
    arch: 'x86_64',
    gpus: 0,
    gpuModel: null,
    acceleratorModel: null,
    burstable: false,
    baremetal: false,
    constrainedVcpu: false,
  });
  if (!choice.ok) {
    notes.errors.push({ path: 'nodePools', message: `AKS needs a system pool and ${choice.reason}` });
    return;
  }
  const [name] = legalPoolNames(
    'azure',
    [{ name: 'system' }],
    pools.map((p) => p.name),
  );
  const pool: NodePoolSpec = {
    name: name!,
    machineType: choice.type.name,
    nodeCount: 3,
    spot: false,
    labels: {},
    taints: [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' }],
    os: 'linux',
    mode: 'system',
  };
  if (region.zones.length > 0) pool.zones = region.zones.slice(0, 3);
  const index = pools.length;
  pools.push(pool);
  decide(
    notes,
    `nodePools[${index}]`,
    undefined,
    pool,
    'aks.system-pool-created',
    `AKS needs a system pool and the source has none: ${pool.nodeCount} × ${pool.machineType} (smallest non-burstable type with ≥ 2 vCPU / 4 GiB), tainted CriticalAddonsOnly so workloads stay on the cloned pools`,
  );
}

/** Compares a version with the control plane's, for validation. */
export function poolAboveControlPlane(pool: string, cluster: string): boolean {
  return compareVersionStrings(pool, cluster) > 0;
}
