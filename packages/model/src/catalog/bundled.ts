import supplementFile from '../../data/machine-types-supplement.json' with { type: 'json' };
import machineTypesFile from '../../data/machine-types.json' with { type: 'json' };
import regionsFile from '../../data/regions.json' with { type: 'json' };
import versionsFile from '../../data/kubernetes-versions.json' with { type: 'json' };
import { isPreviousGeneration } from './generation';
import type {
  CatalogSource,
  CloudId,
  KubernetesVersionInfo,
  MachineCategory,
  MachineTypeInfo,
  PriceReference,
  RegionInfo,
  VersionSupport,
} from './types';
import { compareVersionStrings, minorOf } from './versions';

// Narrow views of the shipped JSON (see data/SOURCES.md); only the fields Dolly reads.
interface RawRegion {
  id: string;
  displayName: string;
  geography: string;
  countryCode: string;
  country: string;
  latitude: number | null;
  longitude: number | null;
  zones?: string[];
  availabilityZones?: string[];
  managedKubernetes: { available: boolean | 'assumed' };
}
interface RawRegionsFile {
  dataAsOf: Record<CloudId, string>;
  clouds: Record<CloudId, { regions: RawRegion[] }>;
}
interface RawMachineType {
  name: string;
  family: string;
  category: MachineCategory;
  vcpus: number;
  memoryGiB: number;
  gpus: number;
  gpuModel: string | null;
  arch: 'x86_64' | 'arm64';
  cpuVendor?: string | null;
  onDemandHourlyUSD: number | null;
  eksMaxPodsDefault?: number;
  acceleratorModel?: string | null;
  flags?: string[];
}
interface RawMachineTypesFile {
  generated: string;
  clouds: Record<
    CloudId,
    {
      priceReference: { source: string; region: string; dataDate: string };
      specSources: Record<string, string>;
      machineTypes: RawMachineType[];
    }
  >;
}
interface RawVersion {
  minor: string;
  'statusAsOf2026-08-22'?: string;
  'statusAsOf2026-08'?: string;
  patchesAnnouncedInReleaseNotes?: { version: string }[];
  latestPatchSeen?: string;
}
interface RawChannel {
  defaultForNewClusters?: string;
  recommendedAutoUpgradeTarget?: string;
}
interface RawVersionsFile {
  dataAsOf: string;
  services: {
    eks: {
      standardSupportMinors: string[];
      extendedSupportMinors: string[];
      versions: RawVersion[];
      sources: string[];
    };
    aks: {
      standardSupportMinors: string[];
      ltsOnlyMinors: string[];
      versions: RawVersion[];
      sources: string[];
    };
    gke: {
      standardSupportMinors: string[];
      versions: RawVersion[];
      releaseChannels: Record<string, RawChannel | string>;
      sources: string[];
    };
  };
}

const regionsData = regionsFile as unknown as RawRegionsFile;
const machineData = machineTypesFile as unknown as RawMachineTypesFile;
interface RawSupplementFile {
  generated: string;
  clouds: Partial<Record<CloudId, { specSources: Record<string, string>; machineTypes: RawMachineType[] }>>;
}
/** Types the shared snapshot lacks (data/SOURCES.md, "Supplement"); never overrides the snapshot. */
const supplementData = supplementFile as unknown as RawSupplementFile;

function rawMachineTypes(cloud: CloudId): RawMachineType[] {
  const base = machineData.clouds[cloud].machineTypes;
  const known = new Set(base.map((t) => t.name));
  const extra = (supplementData.clouds[cloud]?.machineTypes ?? []).filter((t) => !known.has(t.name));
  return [...base, ...extra];
}
const versionsData = versionsFile as unknown as RawVersionsFile;

export function loadRegions(cloud: CloudId): RegionInfo[] {
  return regionsData.clouds[cloud].regions.map((r) => ({
    cloud,
    id: r.id,
    displayName: r.displayName,
    country: r.country,
    countryCode: r.countryCode,
    geography: r.geography,
    latitude: r.latitude,
    longitude: r.longitude,
    zones: [...(r.zones ?? r.availabilityZones ?? [])],
    managedKubernetes: r.managedKubernetes.available,
  }));
}

/**
 * The snapshot marks Google Axion types (c4a, n4a: cpuVendor "google") as x86_64, but Axion is an
 * Arm Neoverse V2 CPU (Google Cloud docs, "C4A machine series" / "N4A machine series"): an x86
 * image would not boot there, so the arch is corrected here rather than trusted.
 */
function archOf(t: RawMachineType): 'x86_64' | 'arm64' {
  return t.cpuVendor === 'google' ? 'arm64' : t.arch;
}

export function loadMachineTypes(cloud: CloudId): MachineTypeInfo[] {
  return rawMachineTypes(cloud).map((t) => {
    const flags = t.flags ?? [];
    const retired = flags.find((f) => f.startsWith('retired-'));
    const info: MachineTypeInfo = {
      cloud,
      name: t.name,
      family: t.family,
      category: t.category,
      vcpus: t.vcpus,
      memoryGiB: t.memoryGiB,
      gpus: t.gpus,
      gpuModel: t.gpuModel,
      arch: archOf(t),
      hourlyUsd: t.onDemandHourlyUSD,
      previousGeneration: isPreviousGeneration(cloud, t.family, t.category),
      // GCP e2 shared-core types are categorised burstable by the data (they burst above their share).
      burstable: t.category === 'burstable' || flags.includes('sharedCore'),
      acceleratorModel: t.acceleratorModel ?? null,
      baremetal: flags.includes('baremetal'),
      constrainedVcpu: flags.includes('constrainedVcpu') || flags.includes('sharedCore'),
    };
    if (t.eksMaxPodsDefault !== undefined) info.maxPodsDefault = t.eksMaxPodsDefault;
    if (retired) info.retiredOn = retired.slice('retired-'.length);
    return info;
  });
}

const sortNewestFirst = (versions: Iterable<string>): string[] =>
  [...new Set(versions)].sort((a, b) => compareVersionStrings(b, a));

export function loadKubernetesVersions(cloud: CloudId): KubernetesVersionInfo[] {
  const out: KubernetesVersionInfo[] = [];
  if (cloud === 'aws') {
    const eks = versionsData.services.eks;
    // EKS users choose minors only; AWS moves the patch through platform versions.
    // The data does not record EKS's default; EKS creates the newest standard minor when none is given.
    const newestStandard = [...eks.standardSupportMinors].sort(compareVersionStrings).at(-1);
    for (const minor of eks.standardSupportMinors) {
      out.push({ cloud, minor, versions: [minor], default: minor === newestStandard, support: 'standard' });
    }
    for (const minor of eks.extendedSupportMinors) {
      out.push({ cloud, minor, versions: [minor], default: false, support: 'extended' });
    }
  } else if (cloud === 'azure') {
    const aks = versionsData.services.aks;
    // AKS defaults new clusters to the N-1 GA minor (supported-kubernetes-versions.md); the
    // planned 1.37 is not offered: its preview starts after the data date.
    const standard = [...aks.standardSupportMinors].sort((a, b) => compareVersionStrings(b, a));
    const defaultMinor = standard[1] ?? standard[0];
    const patchesOf = (minor: string): string[] => {
      const raw = aks.versions.find((v) => v.minor === minor);
      const patches = sortNewestFirst((raw?.patchesAnnouncedInReleaseNotes ?? []).map((p) => p.version));
      // No patch announced in the notes read: AKS accepts the minor alias and picks the latest patch.
      return patches.length > 0 ? patches : [minor];
    };
    for (const minor of standard) {
      out.push({
        cloud,
        minor,
        versions: patchesOf(minor),
        default: minor === defaultMinor,
        support: 'standard',
      });
    }
    // LTS-only minors need the Premium tier with the AKSLongTermSupport plan (long-term-support.md).
    for (const minor of aks.ltsOnlyMinors) {
      out.push({ cloud, minor, versions: patchesOf(minor), default: false, support: 'lts' });
    }
  } else {
    const gke = versionsData.services.gke;
    const channelVersions: string[] = [];
    let defaultVersion: string | undefined;
    for (const [name, channel] of Object.entries(gke.releaseChannels)) {
      if (typeof channel === 'string') continue;
      if (channel.defaultForNewClusters) channelVersions.push(channel.defaultForNewClusters);
      if (channel.recommendedAutoUpgradeTarget) channelVersions.push(channel.recommendedAutoUpgradeTarget);
      // GKE puts new clusters in the Regular channel by default.
      if (name === 'regular') defaultVersion = channel.defaultForNewClusters;
    }
    const defaultMinor = defaultVersion ? minorOf(defaultVersion) : undefined;
    for (const raw of gke.versions) {
      const status = raw['statusAsOf2026-08-22'] ?? '';
      const support: VersionSupport = gke.standardSupportMinors.includes(raw.minor)
        ? 'standard'
        : status.startsWith('extended')
          ? 'extended'
          : status.includes('Rapid channel only')
            ? 'preview'
            : 'extended';
      const versions = sortNewestFirst(
        [raw.latestPatchSeen, ...channelVersions].filter(
          (v): v is string => v !== undefined && minorOf(v) === raw.minor,
        ),
      );
      out.push({ cloud, minor: raw.minor, versions, default: raw.minor === defaultMinor, support });
    }
  }
  return out.sort((a, b) => compareVersionStrings(b.minor, a.minor));
}

export function loadSources(): CatalogSource[] {
  const sources: CatalogSource[] = [];
  for (const cloud of ['aws', 'azure', 'gcp'] as const) {
    sources.push({
      cloud,
      data: 'regions',
      source: regionsData.dataAsOf[cloud],
      dataAsOf: regionsData.dataAsOf[cloud],
    });
    const m = machineData.clouds[cloud];
    for (const s of Object.values(m.specSources)) {
      sources.push({ cloud, data: 'machine-types', source: s, dataAsOf: machineData.generated });
    }
    sources.push({
      cloud,
      data: 'machine-types',
      source: m.priceReference.source,
      dataAsOf: machineData.generated,
    });
    for (const s of Object.values(supplementData.clouds[cloud]?.specSources ?? {})) {
      sources.push({ cloud, data: 'machine-types', source: s, dataAsOf: supplementData.generated });
    }
  }
  const services = versionsData.services;
  const byCloud: [CloudId, string[]][] = [
    ['aws', services.eks.sources],
    ['azure', services.aks.sources],
    ['gcp', services.gke.sources],
  ];
  for (const [cloud, list] of byCloud) {
    for (const s of list)
      sources.push({ cloud, data: 'kubernetes-versions', source: s, dataAsOf: versionsData.dataAsOf });
  }
  return sources;
}

export function loadPriceReference(cloud: CloudId): PriceReference {
  const ref = machineData.clouds[cloud].priceReference;
  return { region: ref.region, source: ref.source, dataAsOf: ref.dataDate };
}
