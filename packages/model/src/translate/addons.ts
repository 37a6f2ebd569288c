import type { CloudId } from '../catalog/types';

/** The target cloud has the feature without an add-on. */
export const BUILT_IN = 'built-in';

interface AddonConcept {
  what: string;
  /** Per cloud: the add-on's name as that cloud spells it (`ClusterSpec.addons`), or BUILT_IN. */
  names: Partial<Record<CloudId, string>>;
}

/**
 * Managed add-ons that mean the same thing on several clouds. Names are the clouds' own: EKS add-on
 * names, GKE `addonsConfig` keys, AKS `addonProfiles` keys. AKS ships the Azure Disk and Azure Files
 * CSI drivers and metrics-server by default (AKS "CSI storage drivers" docs); GKE ships metrics for
 * the HPA and (since 1.18) the Persistent Disk CSI driver as add-ons that are on by default.
 */
const CONCEPTS: AddonConcept[] = [
  {
    what: 'block-storage CSI driver',
    names: { aws: 'aws-ebs-csi-driver', gcp: 'gcePersistentDiskCsiDriverConfig', azure: BUILT_IN },
  },
  {
    what: 'file-storage CSI driver',
    names: { aws: 'aws-efs-csi-driver', gcp: 'gcpFilestoreCsiDriverConfig', azure: BUILT_IN },
  },
  {
    what: 'resource metrics for the Horizontal Pod Autoscaler',
    names: { aws: 'metrics-server', gcp: 'horizontalPodAutoscaling', azure: BUILT_IN },
  },
];

/**
 * AKS add-ons whose profile needs settings Dolly does not model (a Log Analytics workspace, an
 * Application Gateway, a subnet): they are reported as not carried rather than enabled half-set-up.
 */
export const AKS_ADDONS_NEEDING_CONFIG = new Set([
  'omsagent',
  'ingressApplicationGateway',
  'aciConnectorLinux',
]);

export type AddonMapping =
  | { kind: 'same'; name: string }
  | { kind: 'equivalent'; name: string; what: string }
  | { kind: 'built-in'; what: string }
  | { kind: 'none' };

/** What a source add-on becomes on the target cloud. */
export function mapAddon(from: CloudId, name: string, to: CloudId): AddonMapping {
  if (from === to) return { kind: 'same', name };
  const concept = CONCEPTS.find((c) => c.names[from] === name);
  const target = concept?.names[to];
  if (!concept || target === undefined) return { kind: 'none' };
  if (target === BUILT_IN) return { kind: 'built-in', what: concept.what };
  return { kind: 'equivalent', name: target, what: concept.what };
}
