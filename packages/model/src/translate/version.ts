import type { Catalog, CloudId, KubernetesVersionInfo } from '../catalog/types';
import { compareVersions, compareVersionStrings, parseVersion } from '../catalog/versions';

export interface VersionChoice {
  version: string;
  rule: string;
  reason: string;
  warning?: { code: string; message: string; severity: 'warning' | 'error' };
}

const SERVICE: Record<CloudId, string> = { aws: 'EKS', azure: 'AKS', gcp: 'GKE' };

/** Minors a new cluster can be created at (preview minors without a known version are skipped). */
function creatable(catalog: Catalog, cloud: CloudId, region: string): KubernetesVersionInfo[] {
  return catalog
    .kubernetesVersions(cloud, region)
    .filter((v) => v.versions.length > 0 && v.support !== 'preview');
}

function supportWarning(cloud: CloudId, info: KubernetesVersionInfo): VersionChoice['warning'] {
  if (info.support === 'lts') {
    return {
      code: 'kubernetes-version.lts-only',
      message: `AKS offers ${info.minor} only under Long-Term Support, which needs the Premium tier (AKS long-term-support docs)`,
      severity: 'warning',
    };
  }
  if (info.support === 'extended') {
    return {
      code: 'kubernetes-version.extended-support',
      message: `${SERVICE[cloud]} ${info.minor} is in extended support, billed at a higher per-cluster rate; plan an upgrade`,
      severity: 'warning',
    };
  }
  return undefined;
}

/**
 * Kubernetes version on the target: the same minor if supported (least patch ≥ the source's, else
 * the largest); else the nearest newer minor with a warning (workloads cannot move to an older
 * Kubernetes); if none is newer, the newest with an error-level warning apply refuses unless
 * overridden. EKS takes minors only. `ceiling` caps a pool at its control plane.
 */
export function chooseVersion(
  catalog: Catalog,
  sourceVersion: string,
  cloud: CloudId,
  region: string,
  ceiling?: string,
): VersionChoice | { error: string } {
  // Planning thousands of clusters asks the same questions again and again; answers are immutable.
  let memo = cache.get(catalog);
  if (!memo) {
    memo = new Map();
    cache.set(catalog, memo);
  }
  const key = `${cloud}|${region}|${sourceVersion}|${ceiling ?? ''}`;
  let answer = memo.get(key);
  if (!answer) {
    answer = computeVersion(catalog, sourceVersion, cloud, region, ceiling);
    memo.set(key, answer);
  }
  return answer;
}

const cache = new WeakMap<Catalog, Map<string, VersionChoice | { error: string }>>();

function computeVersion(
  catalog: Catalog,
  sourceVersion: string,
  cloud: CloudId,
  region: string,
  ceiling?: string,
): VersionChoice | { error: string } {
  const src = parseVersion(sourceVersion);
  if (!src) return { error: `"${sourceVersion}" is not a Kubernetes version` };
  const list = creatable(catalog, cloud, region);
  if (list.length === 0)
    return { error: `no Kubernetes version is known for ${SERVICE[cloud]} in ${region}` };
  const srcMinor = `${src.major}.${src.minor}`;
  const pick = (info: KubernetesVersionInfo, wantPatch: boolean): string => {
    if (cloud === 'aws') return info.minor;
    // versions are newest first; the least one at or above the source patch, else the newest.
    if (wantPatch && src.patch !== undefined) {
      const above = info.versions.filter((v) => {
        const p = parseVersion(v);
        return p !== undefined && (p.patch === undefined || compareVersions(p, src) >= 0);
      });
      const least = above.at(-1);
      if (least) return least;
    }
    return info.versions[0]!;
  };
  let choice: VersionChoice;
  const same = list.find((v) => v.minor === srcMinor);
  if (same) {
    const version = pick(same, true);
    choice = {
      version,
      rule: 'kubernetes-version.same-minor',
      reason:
        cloud === 'aws'
          ? `${SERVICE[cloud]} supports ${srcMinor}; EKS takes the minor only and runs its latest platform version`
          : src.patch === undefined
            ? `${SERVICE[cloud]} supports ${srcMinor}; the source gave no patch, so the newest known patch`
            : `${SERVICE[cloud]} supports ${srcMinor}; least patch at or above ${sourceVersion}, else the newest`,
    };
    const w = supportWarning(cloud, same);
    if (w) choice.warning = w;
  } else {
    const newer = list
      .filter((v) => compareVersionStrings(v.minor, srcMinor) > 0)
      .sort((a, b) => compareVersionStrings(a.minor, b.minor));
    const next = newer[0];
    if (next) {
      choice = {
        version: pick(next, false),
        rule: 'kubernetes-version.nearest-newer-minor',
        reason: `${SERVICE[cloud]} does not offer ${srcMinor}; ${next.minor} is the nearest newer minor`,
        warning: {
          code: 'kubernetes-version.minor-upgraded',
          message: `Kubernetes ${srcMinor} -> ${next.minor}: check workloads for APIs removed or changed in between`,
          severity: 'warning',
        },
      };
    } else {
      const newest = list[0]!;
      choice = {
        version: pick(newest, false),
        rule: 'kubernetes-version.older-than-source',
        reason: `${SERVICE[cloud]} offers nothing as new as ${srcMinor}; ${newest.minor} is its newest`,
        warning: {
          code: 'kubernetes-version.downgrade',
          message: `the target would run Kubernetes ${newest.minor}, older than the source's ${srcMinor}; apply refuses unless overridden`,
          severity: 'error',
        },
      };
    }
  }
  if (ceiling !== undefined && compareVersionStrings(choice.version, ceiling) > 0) {
    return {
      version: ceiling,
      rule: 'kubernetes-version.pool-not-above-control-plane',
      reason: `a node pool never runs a newer Kubernetes than its control plane (${ceiling})`,
    };
  }
  return choice;
}
