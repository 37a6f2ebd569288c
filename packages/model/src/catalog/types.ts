export type CloudId = 'aws' | 'azure' | 'gcp';

export const CLOUDS: readonly CloudId[] = ['aws', 'azure', 'gcp'];

export interface RegionInfo {
  cloud: CloudId;
  id: string;
  displayName: string;
  country: string;
  countryCode: string;
  /** Continent of the country ("Europe", "North America"...): the second tier of location matching. */
  geography: string;
  latitude: number | null;
  longitude: number | null;
  /** The cloud's own zone names; Azure uses logical zones '1', '2', '3'; empty when the region has none. */
  zones: string[];
  /** true = confirmed by a read source; 'assumed' = not confirmed per region (see SOURCES.md). */
  managedKubernetes: boolean | 'assumed';
}

export type MachineCategory = 'general' | 'compute' | 'memory' | 'storage' | 'gpu' | 'burstable';

export interface MachineTypeInfo {
  cloud: CloudId;
  name: string;
  family: string;
  category: MachineCategory;
  vcpus: number;
  /** GiB everywhere (GCP and Azure publish "GB" but mean GiB). */
  memoryGiB: number;
  gpus: number;
  gpuModel: string | null;
  arch: 'x86_64' | 'arm64';
  hourlyUsd: number | null;
  previousGeneration: boolean;
  burstable: boolean;
  /** AWS only: pods an EKS node allows with VPC CNI defaults (ENI-limited). */
  maxPodsDefault?: number;
  /** Non-GPU accelerators (AWS Inferentia / Trainium): never a substitute for anything else. */
  acceleratorModel?: string | null;
  /** Bare-metal instance: different provisioning semantics, only chosen for a bare-metal source. */
  baremetal?: boolean;
  /** Azure constrained-vCPU sizes (licensing products) and GCP shared-core types. */
  constrainedVcpu?: boolean;
  /** Date after which the cloud no longer creates this type (e.g. Azure NCv3 2025-09-30). */
  retiredOn?: string;
}

export type VersionSupport = 'standard' | 'extended' | 'lts' | 'preview';

export interface KubernetesVersionInfo {
  cloud: CloudId;
  /** '1.34' */
  minor: string;
  /**
   * Full versions as the cloud spells them, newest first: EKS just ['1.34'] (users choose minors only);
   * AKS ['1.34.9', ...] (or ['1.31'] when no patch is known: AKS accepts the minor alias);
   * GKE ['1.34.10-gke.1236000', ...]. Empty for a preview minor whose patches are unknown.
   */
  versions: string[];
  default: boolean;
  support: VersionSupport;
}

export interface CatalogSource {
  cloud: CloudId | 'all';
  data: 'regions' | 'machine-types' | 'kubernetes-versions';
  source: string;
  dataAsOf: string;
}

export interface Catalog {
  /** Only regions where the managed Kubernetes service exists (true or 'assumed'). */
  regions(cloud: CloudId): RegionInfo[];
  region(cloud: CloudId, id: string): RegionInfo | undefined;
  machineTypes(cloud: CloudId, region?: string): MachineTypeInfo[];
  machineType(cloud: CloudId, name: string, region?: string): MachineTypeInfo | undefined;
  /** Newest minor first. */
  kubernetesVersions(cloud: CloudId, region?: string): KubernetesVersionInfo[];
  /** Accepts a minor ('1.34') or a full version the cloud spells. */
  isSupportedVersion(cloud: CloudId, version: string, region?: string): boolean;
  /** Where the data came from (optional so a provider can implement Catalog with the six look-ups). */
  sources?(): CatalogSource[];
  /** Where `hourlyUsd` of a cloud's types comes from: one reference region, a source and its date. */
  priceReference?(cloud: CloudId): PriceReference | undefined;
}

export interface PriceReference {
  /** The region whose list prices `hourlyUsd` holds (the catalog has one price per type). */
  region: string;
  source: string;
  dataAsOf: string;
}

/**
 * What a provider learnt from a cloud's own API for an account. Per cloud, `regions` replaces the
 * cloud's region list when given; `machineTypes` / `kubernetesVersions` keyed by region replace the
 * list for that region ('*' = every region of the cloud). `replace: false` merges by id/name instead.
 */
export interface CatalogOverlay {
  clouds: Partial<
    Record<
      CloudId,
      {
        regions?: RegionInfo[];
        machineTypes?: Record<string, MachineTypeInfo[]>;
        kubernetesVersions?: Record<string, KubernetesVersionInfo[]>;
        replace?: boolean;
      }
    >
  >;
  sources?: CatalogSource[];
}
