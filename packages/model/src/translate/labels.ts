import type { CloudId } from '../catalog/types';

export const PROVENANCE_KEYS = ['dolly-source-cloud', 'dolly-source-cluster', 'dolly-plan'] as const;

/** Resource-label (tag) limits per cloud. */
export const LABEL_LIMITS: Record<CloudId, number> = {
  // AWS: 50 user tags per resource (Tagging best practices, "Tag naming limits and requirements").
  aws: 50,
  // Azure: 50 tag name/value pairs per resource (Azure Resource Manager tag limitations).
  azure: 50,
  // GCP: 64 labels per resource (Resource Manager "Requirements for labels").
  gcp: 64,
};

export interface LabelIssue {
  key: string;
  message: string;
}

/** Why a key is illegal on a cloud, or undefined when it is legal. */
export function labelKeyProblem(cloud: CloudId, key: string): string | undefined {
  switch (cloud) {
    case 'gcp':
      // GCP labels: keys 1-63 chars of lowercase letters, digits, '_' and '-', starting with a letter.
      if (!/^[a-z][a-z0-9_-]{0,62}$/.test(key)) {
        return 'GCP label keys are 1-63 lowercase letters, digits, "_" or "-", starting with a letter';
      }
      return undefined;
    case 'aws':
      // The aws: prefix is reserved for tags AWS creates (Tagging AWS resources, tag restrictions).
      if (/^aws:/i.test(key)) return 'the "aws:" prefix is reserved for tags AWS creates';
      if (!/^[\p{L}\p{N}\s_.:/=+\-@]{1,128}$/u.test(key)) {
        return 'AWS tag keys are 1-128 letters, digits, spaces and _ . : / = + - @';
      }
      return undefined;
    case 'azure':
      // Azure tag names cannot contain < > % & \ ? / and are at most 512 characters.
      if (key.length === 0 || key.length > 512 || /[<>%&\\?/]/.test(key)) {
        return 'Azure tag names are 1-512 characters without < > % & \\ ? /';
      }
      return undefined;
  }
}

export function labelValueProblem(cloud: CloudId, value: string): string | undefined {
  switch (cloud) {
    case 'gcp':
      if (!/^[a-z0-9_-]{0,63}$/.test(value))
        return 'GCP label values are 0-63 lowercase letters, digits, "_" or "-"';
      return undefined;
    case 'aws':
      if (!/^[\p{L}\p{N}\s_.:/=+\-@]{0,256}$/u.test(value)) {
        return 'AWS tag values are 0-256 letters, digits, spaces and _ . : / = + - @';
      }
      return undefined;
    case 'azure':
      if (value.length > 256) return 'Azure tag values are at most 256 characters';
      return undefined;
  }
}

export function sanitiseLabelKey(cloud: CloudId, key: string): string | undefined {
  if (labelKeyProblem(cloud, key) === undefined) return key;
  switch (cloud) {
    case 'gcp': {
      let k = key.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
      // Keys must start with a letter: "2fa" becomes "k-2fa" rather than losing the label.
      if (!/^[a-z]/.test(k)) k = `k-${k}`;
      k = k.slice(0, 63);
      return /^[a-z][a-z0-9_-]*$/.test(k) ? k : undefined;
    }
    case 'aws': {
      if (/^aws:/i.test(key)) return undefined;
      const k = key.replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, '_').slice(0, 128);
      return k.length > 0 ? k : undefined;
    }
    case 'azure': {
      const k = key.replace(/[<>%&\\?/]/g, '_').slice(0, 512);
      return k.length > 0 ? k : undefined;
    }
  }
}

export function sanitiseLabelValue(cloud: CloudId, value: string): string {
  if (labelValueProblem(cloud, value) === undefined) return value;
  switch (cloud) {
    case 'gcp':
      return value
        .toLowerCase()
        .replace(/[^a-z0-9_-]/g, '_')
        .slice(0, 63);
    case 'aws':
      return value.replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, '_').slice(0, 256);
    case 'azure':
      return value.slice(0, 256);
  }
}

/** A value legal as a label value on all three clouds (used for provenance labels). */
export function portableLabelValue(value: string): string {
  return sanitiseLabelValue('gcp', value);
}

/** Problems of a whole label map on a cloud (for plan validation). */
export function labelMapProblems(cloud: CloudId, labels: Record<string, string>): LabelIssue[] {
  const issues: LabelIssue[] = [];
  const keys = Object.keys(labels);
  if (keys.length > LABEL_LIMITS[cloud]) {
    issues.push({
      key: '',
      message: `at most ${LABEL_LIMITS[cloud]} labels on ${cloud}, got ${keys.length}`,
    });
  }
  for (const key of keys) {
    const kp = labelKeyProblem(cloud, key);
    if (kp) issues.push({ key, message: kp });
    const vp = labelValueProblem(cloud, labels[key] ?? '');
    if (vp) issues.push({ key, message: vp });
  }
  return issues;
}

// Labels and taints each cloud adds to nodes on its own; copying them as user labels would either
// be refused (reserved prefixes) or carry a meaning from the source cloud.
const CLOUD_MANAGED_NODE_LABEL = [
  /^kubernetes\.azure\.com\//, // AKS: agentpool, mode, scalesetpriority, node-image-version...
  /^agentpool$/, // AKS legacy pool label
  /^cloud\.google\.com\//, // GKE: gke-nodepool, gke-spot, gke-preemptible, machine-family...
  /^eks\.amazonaws\.com\//, // EKS: nodegroup, capacityType, nodegroup-image
  /^alpha\.eksctl\.io\//,
  /^karpenter\.(sh|k8s\.aws)\//,
  /^(?:[a-z0-9.-]+\.)?kubernetes\.io\//, // kubelet/topology labels, reserved by the NodeRestriction plugin
  /^(?:[a-z0-9.-]+\.)?k8s\.io\//,
];

export function isCloudManagedNodeLabel(key: string): boolean {
  return CLOUD_MANAGED_NODE_LABEL.some((re) => re.test(key));
}

/**
 * Taints the clouds put on nodes themselves (AKS spot pools, GKE spot nodes). `nvidia.com/gpu` is not
 * one: GKE adds it to GPU nodes, but EKS and AKS do not, so a pool that has it in its own config was
 * tainted by the user and keeps it everywhere (GKE accepts the same taint on the pool).
 */
export function isCloudManagedTaint(key: string): boolean {
  return (
    key === 'kubernetes.azure.com/scalesetpriority' ||
    key.startsWith('cloud.google.com/') ||
    key.startsWith('eks.amazonaws.com/') ||
    key.startsWith('node.kubernetes.io/') ||
    key.startsWith('node.cloudprovider.kubernetes.io/')
  );
}

// Kubernetes label syntax (apimachinery validation): optional DNS-subdomain prefix, name of 1-63
// alphanumerics, '-', '_' or '.', starting and ending alphanumeric; values the same or empty.
const K8S_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;

export function isLegalKubernetesLabel(key: string, value: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  if (prefix !== undefined && !DNS_SUBDOMAIN.test(prefix)) return false;
  if (!K8S_NAME.test(name)) return false;
  return value === '' || K8S_NAME.test(value);
}
