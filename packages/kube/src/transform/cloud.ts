/**
 * Per-cloud facts the rules rewrite between: node pool and capacity labels, storage class families,
 * load balancer and ingress annotations, workload identity annotations. Sources are the clouds'
 * own docs, cited where the behaviour is not obvious.
 */
import type { CloudId, ClusterCloud } from '../types.ts';

/** Labels that name a node's pool. The first one is what we write on that cloud. */
export const POOL_LABELS: Record<ClusterCloud, string[]> = {
  // EKS managed node groups; eksctl's own label on self-managed groups
  aws: ['eks.amazonaws.com/nodegroup', 'alpha.eksctl.io/nodegroup-name'],
  // AKS sets both; `agentpool` is the one documented for nodeSelector
  azure: ['agentpool', 'kubernetes.azure.com/agentpool'],
  gcp: ['cloud.google.com/gke-nodepool'],
  // an imported cluster: no pool label Dolly can know; nodeSelectors need an explicit mapping
  kubernetes: [],
};

export function cloudOfPoolLabel(key: string): CloudId | undefined {
  for (const cloud of ['aws', 'azure', 'gcp'] as const) if (POOL_LABELS[cloud].includes(key)) return cloud;
  return undefined;
}

/** How each cloud marks spot capacity on nodes: label (and value) for spot, and for regular. */
export const CAPACITY_LABELS: Record<ClusterCloud, { key: string; spot: string; regular?: string }[]> = {
  aws: [
    { key: 'eks.amazonaws.com/capacityType', spot: 'SPOT', regular: 'ON_DEMAND' },
    { key: 'karpenter.sh/capacity-type', spot: 'spot', regular: 'on-demand' },
  ],
  azure: [{ key: 'kubernetes.azure.com/scalesetpriority', spot: 'spot' }],
  gcp: [
    { key: 'cloud.google.com/gke-spot', spot: 'true' },
    { key: 'cloud.google.com/gke-provisioning', spot: 'spot', regular: 'standard' },
    { key: 'cloud.google.com/gke-preemptible', spot: 'true' },
  ],
  kubernetes: [],
};

/**
 * The taint a cloud puts on spot nodes, if any. AKS taints every spot pool
 * (learn.microsoft.com/azure/aks/spot-node-pool); GKE taints spot nodes only when asked, but the
 * documented key is this one (cloud.google.com/kubernetes-engine/docs/concepts/spot-vms); EKS does
 * not taint spot capacity.
 */
export const SPOT_TAINT: Record<ClusterCloud, { key: string; value: string } | undefined> = {
  aws: undefined,
  kubernetes: undefined,
  azure: { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot' },
  gcp: { key: 'cloud.google.com/gke-spot', value: 'true' },
};

/** Node labels whose values only mean something on one cloud, region or machine catalog. */
export const PLACEMENT_LABELS = [
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/instance-type',
];

/** Label and annotation key prefixes owned by one cloud's controllers. */
export const CLOUD_KEY_PATTERNS: Record<ClusterCloud, RegExp[]> = {
  // an imported cluster's controllers are unknown: nothing is recognised as theirs
  kubernetes: [],
  aws: [
    /^service\.beta\.kubernetes\.io\/aws-/,
    /^service\.kubernetes\.io\/aws-/,
    /^alb\.ingress\.kubernetes\.io\//,
    /^service\.k8s\.aws\//,
    /^elbv2\.k8s\.aws\//,
    /^ingress\.k8s\.aws\//,
    /^eks\.amazonaws\.com\//,
    /^alpha\.eksctl\.io\//,
    /^karpenter\.(sh|k8s\.aws)\//,
  ],
  azure: [
    /^service\.beta\.kubernetes\.io\/azure-/,
    /^appgw\.ingress\.kubernetes\.io\//,
    /^kubernetes\.azure\.com\//,
    /^azure\.workload\.identity\//,
    /^agentpool$/,
  ],
  gcp: [
    /^cloud\.google\.com\//,
    /^networking\.gke\.io\//,
    /^ingress\.gcp\.kubernetes\.io\//,
    /^iam\.gke\.io\//,
    /^kubernetes\.io\/ingress\.(global|regional)-static-ip-name$/,
    /^kubernetes\.io\/ingress\.allow-http$/,
    /^ingress\.gke\.io\//,
  ],
};

export function isCloudKey(cloud: ClusterCloud, key: string): boolean {
  return CLOUD_KEY_PATTERNS[cloud].some((re) => re.test(key));
}

/** Finalizers cloud load balancer controllers put on Services and Ingresses. */
export const CLOUD_FINALIZERS: Record<ClusterCloud, RegExp[]> = {
  kubernetes: [],
  aws: [/^service\.k8s\.aws\//, /^ingress\.k8s\.aws\//, /^elbv2\.k8s\.aws\//],
  azure: [/^kubernetes\.azure\.com\//],
  gcp: [/^networking\.gke\.io\//, /^gke\.networking\.io\//],
};

/** The in-tree service controller's finalizer: set on every LoadBalancer Service by the cluster. */
export const LB_CLEANUP_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';

/** Storage class families: the same intent under each cloud's class names. */
export type StorageFamily = 'standard' | 'premium' | 'shared';

export const STORAGE_CLASSES: Record<
  CloudId,
  Record<StorageFamily, string> & { known: Record<string, StorageFamily> }
> = {
  aws: {
    standard: 'gp3',
    premium: 'io2',
    shared: 'efs-sc',
    known: {
      gp3: 'standard',
      gp2: 'standard',
      'ebs-sc': 'standard',
      io1: 'premium',
      io2: 'premium',
      'efs-sc': 'shared',
    },
  },
  azure: {
    standard: 'managed-csi',
    premium: 'managed-csi-premium',
    shared: 'azurefile-csi',
    known: {
      'managed-csi': 'standard',
      default: 'standard',
      managed: 'standard',
      'managed-csi-premium': 'premium',
      'managed-premium': 'premium',
      'azurefile-csi': 'shared',
      'azurefile-csi-premium': 'shared',
      azurefile: 'shared',
    },
  },
  gcp: {
    standard: 'standard-rwo',
    premium: 'premium-rwo',
    shared: 'standard-rwx',
    known: {
      'standard-rwo': 'standard',
      standard: 'standard',
      'balanced-rwo': 'standard',
      'premium-rwo': 'premium',
      'standard-rwx': 'shared',
      'premium-rwx': 'shared',
      'enterprise-rwx': 'shared',
    },
  },
};

/**
 * The default class for a source class on another cloud: same family (standard, premium, shared).
 * Unknown classes have no default: the caller keeps the name if the target has it, or says so.
 */
export function defaultStorageClass(
  source: ClusterCloud,
  target: ClusterCloud,
  className: string,
): string | undefined {
  if (source === target) return className;
  // an imported cluster's classes are its own: only storageClassMap (or the same name) maps them
  if (source === 'kubernetes' || target === 'kubernetes') return undefined;
  const family = STORAGE_CLASSES[source].known[className];
  return family ? STORAGE_CLASSES[target][family] : undefined;
}

/** Ingress classes each cloud's managed controllers register. */
export const INGRESS_CLASSES: Record<CloudId, { public: string; internal?: string; known: string[] }> = {
  aws: { public: 'alb', known: ['alb'] },
  azure: {
    public: 'webapprouting.kubernetes.azure.com',
    known: ['webapprouting.kubernetes.azure.com', 'azure-application-gateway', 'azure/application-gateway'],
  },
  gcp: { public: 'gce', internal: 'gce-internal', known: ['gce', 'gce-internal'] },
};

/** Workload identity: the ServiceAccount annotation that names the cloud identity. */
export const IDENTITY_ANNOTATION: Record<CloudId, string> = {
  // IRSA: docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
  aws: 'eks.amazonaws.com/role-arn',
  // learn.microsoft.com/azure/aks/workload-identity-overview
  azure: 'azure.workload.identity/client-id',
  // cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
  gcp: 'iam.gke.io/gcp-service-account',
};

/** Every ServiceAccount annotation and label of a cloud's workload identity. */
export const IDENTITY_KEYS: Record<CloudId, RegExp> = {
  aws: /^eks\.amazonaws\.com\/(role-arn|audience|sts-regional-endpoints|token-expiration)$/,
  azure: /^azure\.workload\.identity\//,
  gcp: /^iam\.gke\.io\//,
};

/** AKS only injects the token into pods labelled so (the webhook's opt-in). */
export const AZURE_WI_POD_LABEL = 'azure.workload.identity/use';
