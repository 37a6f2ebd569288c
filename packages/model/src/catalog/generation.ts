import type { CloudId, MachineCategory } from './types';

/**
 * Previous-generation rule, decided from the family name because none of the sources flags it.
 * Cluster Cloner walked its tables in file order and so picked m4/m5 or n1 types for new clusters;
 * Dolly never picks a previous generation for a target (a same-cloud clone keeps the source's type).
 *
 * - AWS: general, compute and memory families of generation 5 or older (m5, m5a, c5, r5), storage
 *   families of generation 3 or older (i3; i4i is current).
 *   The 6th generation (m6i/c6i/r6i, m6g, m6a) replaced them at a lower price per vCPU; AWS still
 *   sells them but they are not what anyone would choose today. Burstable t3/t3a stay current: they
 *   are the newest x86 burstable family. GPU families are judged by GPU model, not generation (a
 *   V100 source may need p3), so they are never marked here.
 * - Azure: D, E and F series below v5 (Dsv3, Dsv4, Fsv2): v5/v6 are the current Intel/AMD/Arm
 *   generations at a lower price per vCPU. B-series v2 and L-series v3 are the newest of their
 *   series. Retired GPU sizes (NCv3) carry `retiredOn` and are excluded separately.
 * - GCP: n1 (first generation, Skylake-era; Google's docs point new workloads to N2/N4) and c2
 *   (superseded by c3/c4). m1 stays: the data has no newer memory-optimised family.
 */
export function isPreviousGeneration(cloud: CloudId, family: string, category: MachineCategory): boolean {
  if (category === 'gpu' || category === 'burstable') return false;
  switch (cloud) {
    case 'aws': {
      const m = /^[a-z]+?(\d+)/.exec(family);
      if (!m) return false;
      return Number(m[1]) <= (category === 'storage' ? 3 : 5);
    }
    case 'azure': {
      if (!/^[DEF]/.test(family)) return false;
      const m = /v(\d+)$/.exec(family);
      return m ? Number(m[1]) < 5 : false;
    }
    case 'gcp':
      return family === 'n1' || family === 'c2';
  }
}
