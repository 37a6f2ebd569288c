import {
  loadKubernetesVersions,
  loadMachineTypes,
  loadPriceReference,
  loadRegions,
  loadSources,
} from './bundled';
import { createCatalog } from './catalog';
import type { Catalog, CatalogSource } from './types';

export { type CatalogData, createCatalog, overlayCatalog, versionIsListed } from './catalog';
export { isPreviousGeneration } from './generation';
export {
  AZURE_REGIONAL_CORES,
  AZURE_SPOT_CORES,
  type AwsVcpuQuota,
  awsVcpuQuota,
  azureQuotaFamily,
  gcpCpuQuotaMetric,
} from './quota';
export type {
  Catalog,
  CatalogOverlay,
  CatalogSource,
  CloudId,
  KubernetesVersionInfo,
  MachineCategory,
  MachineTypeInfo,
  PriceReference,
  RegionInfo,
  VersionSupport,
} from './types';
export { CLOUDS } from './types';
export {
  compareMinors,
  compareVersionStrings,
  compareVersions,
  minorOf,
  type ParsedVersion,
  parseVersion,
} from './versions';

/** The snapshot shipped in packages/model/data (sources and dates in data/SOURCES.md). */
export const bundledCatalog: Catalog = createCatalog({
  regions: { aws: loadRegions('aws'), azure: loadRegions('azure'), gcp: loadRegions('gcp') },
  machineTypes: {
    aws: loadMachineTypes('aws'),
    azure: loadMachineTypes('azure'),
    gcp: loadMachineTypes('gcp'),
  },
  kubernetesVersions: {
    aws: loadKubernetesVersions('aws'),
    azure: loadKubernetesVersions('azure'),
    gcp: loadKubernetesVersions('gcp'),
  },
  sources: loadSources(),
  priceReferences: {
    aws: loadPriceReference('aws'),
    azure: loadPriceReference('azure'),
    gcp: loadPriceReference('gcp'),
  },
});

/** Where every value of the bundled catalog came from (repositories, pages and dates). */
export function catalogSources(catalog: Catalog = bundledCatalog): CatalogSource[] {
  return catalog.sources?.() ?? [];
}
export { catalogForPlan, type LiveListResult, overlayCovers, planCatalogLine } from './live';
