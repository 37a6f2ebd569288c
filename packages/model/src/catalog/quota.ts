/**
 * Which Compute Engine regional vCPU quota a GCP machine type counts against: the older general
 * purpose families (N1, E2 and the shared-core F1/G1) share `CPUS`; every other family has its own
 * `<FAMILY>_CPUS` metric (N2_CPUS, N2D_CPUS, C3_CPUS, T2A_CPUS ...). Used by the GCP preflight and
 * the sandbox's quota, so both count the same way.
 */
const SHARED_CPUS = new Set(['n1', 'e2', 'f1', 'g1']);

export function gcpCpuQuotaMetric(machineType: string): string {
  const family = machineType.split('-')[0]?.toLowerCase() ?? '';
  return SHARED_CPUS.has(family) || family === '' ? 'CPUS' : `${family.toUpperCase()}_CPUS`;
}
