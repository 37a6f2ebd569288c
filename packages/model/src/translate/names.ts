import type { CloudId } from '../catalog/types';

interface NameRule {
  pattern: RegExp;
  max: number;
  lowercase: boolean;
  /** Characters kept besides [a-z0-9] (and A-Z when not lowercase). */
  extra: string;
  /** What an illegal character becomes ('' = removed). */
  replacement: string;
  description: string;
}

// EKS CreateCluster: 1-100 chars, alphanumerics, hyphens and underscores, starting with an alphanumeric
// (EKS API reference, CreateCluster "name"). Node groups: same characters, 1-63.
// AKS managed clusters: 1-63 chars, letters, digits, underscores and hyphens, starting and ending with
// a letter or digit (Azure naming rules for Microsoft.ContainerService/managedClusters).
// AKS agent pools: lowercase alphanumerics only, starting with a letter, at most 12 characters for
// Linux and 6 for Windows (AKS docs, "Create node pools", naming limitations).
// GKE clusters and node pools: lowercase letters, digits and hyphens, starting with a letter, ending
// with a letter or digit, at most 40 characters (GKE API, Cluster.name / NodePool.name).
const CLUSTER_RULES: Record<CloudId, NameRule> = {
  aws: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/,
    max: 100,
    lowercase: false,
    extra: '_-',
    replacement: '-',
    description:
      'EKS cluster names: 1-100 letters, digits, hyphens and underscores, starting with a letter or digit',
  },
  azure: {
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/,
    max: 63,
    lowercase: false,
    extra: '_-',
    replacement: '-',
    description:
      'AKS cluster names: 1-63 letters, digits, hyphens and underscores, starting and ending with a letter or digit',
  },
  gcp: {
    pattern: /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    max: 40,
    lowercase: true,
    extra: '-',
    replacement: '-',
    description: 'GKE cluster names: 1-40 lowercase letters, digits and hyphens, starting with a letter',
  },
};

const POOL_RULES: Record<CloudId, NameRule> = {
  aws: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/,
    max: 63,
    lowercase: false,
    extra: '_-',
    replacement: '-',
    description:
      'EKS node group names: 1-63 letters, digits, hyphens and underscores, starting with a letter or digit',
  },
  azure: {
    pattern: /^[a-z][a-z0-9]{0,11}$/,
    max: 12,
    lowercase: true,
    extra: '',
    replacement: '',
    description: 'AKS pool names: 1-12 lowercase letters and digits, starting with a letter',
  },
  gcp: {
    pattern: /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    max: 40,
    lowercase: true,
    extra: '-',
    replacement: '-',
    description: 'GKE node pool names: 1-40 lowercase letters, digits and hyphens, starting with a letter',
  },
};

const AKS_WINDOWS_POOL = /^[a-z][a-z0-9]{0,5}$/;

export function clusterNameRule(cloud: CloudId): string {
  return CLUSTER_RULES[cloud].description;
}

export function poolNameRule(cloud: CloudId, os?: 'linux' | 'windows'): string {
  if (cloud === 'azure' && os === 'windows')
    return 'AKS Windows pool names: 1-6 lowercase letters and digits, starting with a letter';
  return POOL_RULES[cloud].description;
}

export function isLegalClusterName(cloud: CloudId, name: string): boolean {
  return CLUSTER_RULES[cloud].pattern.test(name);
}

export function isLegalPoolName(cloud: CloudId, name: string, os?: 'linux' | 'windows'): boolean {
  if (cloud === 'azure' && os === 'windows') return AKS_WINDOWS_POOL.test(name);
  return POOL_RULES[cloud].pattern.test(name);
}

function sanitise(rule: NameRule, input: string, max: number, fallback: string): string {
  let s = rule.lowercase ? input.toLowerCase() : input;
  const allowed = new RegExp(
    `[^${rule.lowercase ? 'a-z' : 'A-Za-z'}0-9${rule.extra.replace('-', '\\-')}]`,
    'g',
  );
  s = s.replace(allowed, rule.replacement);
  if (rule.replacement) {
    const r = rule.replacement;
    s = s.replace(new RegExp(`${r === '-' ? '\\-' : r}{2,}`, 'g'), r);
  }
  // Names must start with a letter (GKE, AKS pools) or an alphanumeric (EKS, AKS clusters).
  const mustStartWithLetter = rule.pattern.source.startsWith('^[a-z]');
  s = s.replace(mustStartWithLetter ? /^[^a-zA-Z]+/ : /^[^a-zA-Z0-9]+/, '');
  s = s.slice(0, max).replace(/[^a-zA-Z0-9]+$/, '');
  return s.length > 0 ? s : fallback;
}

export function legalClusterName(cloud: CloudId, name: string): string {
  if (isLegalClusterName(cloud, name)) return name;
  return sanitise(CLUSTER_RULES[cloud], name, CLUSTER_RULES[cloud].max, 'cluster');
}

/**
 * Makes pool names legal and unique within the cluster. A clash gets a numeric suffix that fits the
 * length limit ("workers" and "Workers" on AKS become "workers" and "workers2").
 */
export function legalPoolNames(
  cloud: CloudId,
  pools: { name: string; os?: 'linux' | 'windows' }[],
  reserved: Iterable<string> = [],
): string[] {
  const used = new Set(reserved);
  return pools.map((p) => {
    const rule = POOL_RULES[cloud];
    const max = cloud === 'azure' && p.os === 'windows' ? 6 : rule.max;
    let base = isLegalPoolName(cloud, p.name, p.os) ? p.name : sanitise(rule, p.name, max, 'pool');
    base = base.slice(0, max);
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) {
      const suffix = String(n);
      candidate = `${base.slice(0, max - suffix.length).replace(/[-_]+$/, '')}${suffix}`;
    }
    used.add(candidate);
    return candidate;
  });
}
