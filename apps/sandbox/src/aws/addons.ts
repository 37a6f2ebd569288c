/** The EKS add-on catalog the sandbox offers (DescribeAddonVersions), per Kubernetes minor. */
export interface AddonVersion {
  addonVersion: string;
  /** Kubernetes minors this version runs on; the first one listed per minor is the default */
  minors: string[] | 'all';
  defaultFor?: string[] | 'all';
}

export interface AddonDef {
  addonName: string;
  type: string;
  publisher: string;
  owner: string;
  defaultNamespace: string;
  versions: (minors: string[]) => AddonVersion[];
}

const patchOf: Record<string, string> = {
  '1.30': '1.30.14',
  '1.31': '1.31.13',
  '1.32': '1.32.9',
  '1.33': '1.33.5',
  '1.34': '1.34.2',
  '1.35': '1.35.1',
  '1.36': '1.36.0',
};

const corednsFor = (minor: string): string => {
  const m = Number(minor.split('.')[1] ?? 0);
  if (m >= 35) return 'v1.13.1-eksbuild.1';
  if (m >= 33) return 'v1.12.4-eksbuild.1';
  return 'v1.11.4-eksbuild.24';
};

export const ADDONS: AddonDef[] = [
  {
    addonName: 'vpc-cni',
    type: 'networking',
    publisher: 'eks',
    owner: 'aws',
    defaultNamespace: 'kube-system',
    versions: () => [
      { addonVersion: 'v1.20.4-eksbuild.2', minors: 'all' },
      { addonVersion: 'v1.20.1-eksbuild.3', minors: 'all', defaultFor: 'all' },
      { addonVersion: 'v1.19.6-eksbuild.7', minors: 'all' },
    ],
  },
  {
    addonName: 'coredns',
    type: 'networking',
    publisher: 'eks',
    owner: 'aws',
    defaultNamespace: 'kube-system',
    versions: (minors) => {
      const byVersion = new Map<string, string[]>();
      for (const minor of minors) {
        const v = corednsFor(minor);
        byVersion.set(v, [...(byVersion.get(v) ?? []), minor]);
      }
      return [...byVersion.entries()].map(([addonVersion, ms]) => ({
        addonVersion,
        minors: ms,
        defaultFor: ms,
      }));
    },
  },
  {
    addonName: 'kube-proxy',
    type: 'networking',
    publisher: 'eks',
    owner: 'aws',
    defaultNamespace: 'kube-system',
    versions: (minors) =>
      minors.map((minor) => ({
        addonVersion: `v${patchOf[minor] ?? `${minor}.0`}-eksbuild.3`,
        minors: [minor],
        defaultFor: [minor],
      })),
  },
  {
    addonName: 'aws-ebs-csi-driver',
    type: 'storage',
    publisher: 'eks',
    owner: 'aws',
    defaultNamespace: 'kube-system',
    versions: () => [
      { addonVersion: 'v1.51.1-eksbuild.1', minors: 'all', defaultFor: 'all' },
      { addonVersion: 'v1.48.0-eksbuild.2', minors: 'all' },
    ],
  },
  {
    addonName: 'eks-pod-identity-agent',
    type: 'security',
    publisher: 'eks',
    owner: 'aws',
    defaultNamespace: 'kube-system',
    versions: () => [{ addonVersion: 'v1.3.9-eksbuild.3', minors: 'all', defaultFor: 'all' }],
  },
  {
    addonName: 'metrics-server',
    type: 'observability',
    publisher: 'eks',
    owner: 'aws',
    defaultNamespace: 'kube-system',
    versions: () => [{ addonVersion: 'v0.8.0-eksbuild.2', minors: 'all', defaultFor: 'all' }],
  },
];

export function addonVersionsFor(
  def: AddonDef,
  minors: string[],
  minor?: string,
): { version: string; minors: string[]; isDefault: boolean }[] {
  return def
    .versions(minors)
    .map((v) => {
      const ms = v.minors === 'all' ? minors : v.minors;
      const defaults = v.defaultFor === 'all' ? minors : (v.defaultFor ?? []);
      return {
        version: v.addonVersion,
        minors: ms,
        isDefault: minor ? defaults.includes(minor) : defaults.length > 0,
      };
    })
    .filter((v) => !minor || v.minors.includes(minor));
}
