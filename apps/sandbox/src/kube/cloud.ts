/** Per-cloud facts the emulated clusters need: node names, storage classes, addresses, registries. */
import type { KubeClusterInfo, KubeNodePool, SandboxCloud } from '../context.ts';
import type { KubeObject } from './types.ts';
import { shortHash } from './util.ts';

export const POOL_LABEL: Record<SandboxCloud, string> = {
  aws: 'eks.amazonaws.com/nodegroup',
  azure: 'agentpool',
  gcp: 'cloud.google.com/gke-nodepool',
};

export const CSI_DRIVER: Record<SandboxCloud, string> = {
  aws: 'ebs.csi.aws.com',
  azure: 'disk.csi.azure.com',
  gcp: 'pd.csi.storage.gke.io',
};

export function regionOf(info: KubeClusterInfo): string {
  // GKE zonal locations (us-central1-a) -> region us-central1
  if (info.cloud === 'gcp' && /-[a-z]$/.test(info.location)) return info.location.replace(/-[a-z]$/, '');
  return info.location;
}

export function nodeName(info: KubeClusterInfo, pool: KubeNodePool, index: number, zone: string): string {
  const h = shortHash(`${info.name}/${pool.name}`, 8);
  switch (info.cloud) {
    case 'aws': {
      const n = Number.parseInt(
        shortHash(`${info.name}/${pool.name}/${index}`, 4).replace(/\D/g, '') || '7',
        10,
      );
      const third = (pool.name.length * 7 + index * 13) % 250;
      return `ip-10-0-${third}-${((n + index * 17) % 250) + 2}.${regionOf(info)}.compute.internal`;
    }
    case 'azure': {
      const digits = Number.parseInt(createDigits(`${info.name}/${pool.name}`), 10);
      return `aks-${pool.name}-${digits}-vmss${index.toString(36).padStart(6, '0')}`;
    }
    case 'gcp':
      return `gke-${info.name.slice(0, 16)}-${pool.name.slice(0, 12)}-${h}-${shortHash(`${zone}/${index}`, 4)}`;
  }
}

function createDigits(s: string): string {
  let x = 0;
  for (const ch of s) x = (x * 31 + ch.charCodeAt(0)) % 90_000_000;
  return String(10_000_000 + x);
}

export function providerId(info: KubeClusterInfo, name: string, zone: string, index: number): string {
  switch (info.cloud) {
    case 'aws':
      return `aws:///${zone}/i-0${shortHash(name, 16).replace(/[^0-9a-f]/g, 'a')}`;
    case 'azure':
      return `azure:///subscriptions/${info.scope}/resourceGroups/mc_${info.name}_${info.location}/providers/Microsoft.Compute/virtualMachineScaleSets/${name.replace(/vmss.*$/, 'vmss')}/virtualMachines/${index}`;
    case 'gcp':
      return `gce://${info.scope}/${zone}/${name}`;
  }
}

export function defaultZones(info: KubeClusterInfo): string[] {
  const r = regionOf(info);
  switch (info.cloud) {
    case 'aws':
      return [`${r}a`, `${r}b`, `${r}c`];
    case 'azure':
      return ['0'];
    case 'gcp':
      return /-[a-z]$/.test(info.location) ? [info.location] : [`${r}-a`, `${r}-b`, `${r}-c`];
  }
}

function sc(
  name: string,
  provisioner: string,
  parameters: Record<string, string>,
  isDefault: boolean,
): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name,
      ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    provisioner,
    parameters,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  };
}

export function defaultStorageClasses(cloud: SandboxCloud): KubeObject[] {
  switch (cloud) {
    case 'aws':
      return [
        sc('gp2', 'ebs.csi.aws.com', { type: 'gp2', fsType: 'ext4' }, false),
        sc('gp3', 'ebs.csi.aws.com', { type: 'gp3', fsType: 'ext4' }, true),
      ];
    case 'azure':
      return [
        sc('managed-csi', 'disk.csi.azure.com', { skuname: 'StandardSSD_LRS' }, true),
        sc('managed-csi-premium', 'disk.csi.azure.com', { skuname: 'Premium_LRS' }, false),
      ];
    case 'gcp':
      return [
        sc('standard-rwo', 'pd.csi.storage.gke.io', { type: 'pd-balanced' }, true),
        sc('premium-rwo', 'pd.csi.storage.gke.io', { type: 'pd-ssd' }, false),
      ];
  }
}

export function defaultStorageClassName(cloud: SandboxCloud): string {
  return cloud === 'aws' ? 'gp3' : cloud === 'azure' ? 'managed-csi' : 'standard-rwo';
}

export function ingressClass(cloud: SandboxCloud): { name: string; controller: string } {
  switch (cloud) {
    case 'aws':
      return { name: 'alb', controller: 'ingress.k8s.aws/alb' };
    case 'azure':
      return {
        name: 'webapprouting.kubernetes.azure.com',
        controller: 'webapprouting.kubernetes.azure.com/nginx',
      };
    case 'gcp':
      return { name: 'gce', controller: 'k8s.io/ingress-gce' };
  }
}

export function volumeHandle(info: KubeClusterInfo, pvName: string, zone: string): string {
  switch (info.cloud) {
    case 'aws':
      return `vol-0${shortHash(pvName, 16).replace(/[^0-9a-f]/g, 'c')}`;
    case 'azure':
      return `/subscriptions/${info.scope}/resourceGroups/mc_${info.name}_${info.location}/providers/Microsoft.Compute/disks/${pvName}`;
    case 'gcp':
      return `projects/${info.scope}/zones/${zone}/disks/${pvName}`;
  }
}

/** Address a LoadBalancer Service (or Ingress) gets. */
export function loadBalancerIngress(
  info: KubeClusterInfo,
  n: number,
  name: string,
  annotations: Record<string, string>,
): { ip?: string; hostname?: string } {
  const internal =
    annotations['service.beta.kubernetes.io/aws-load-balancer-scheme'] === 'internal' ||
    annotations['service.beta.kubernetes.io/aws-load-balancer-internal'] === 'true' ||
    annotations['service.beta.kubernetes.io/azure-load-balancer-internal'] === 'true' ||
    annotations['networking.gke.io/load-balancer-type'] === 'Internal';
  switch (info.cloud) {
    case 'aws':
      return {
        hostname: `${internal ? 'internal-' : ''}a${shortHash(`${info.name}/${name}`, 31).replace(/[^0-9a-f]/g, 'e')}-${1_000_000_000 + n * 7919}.${regionOf(info)}.elb.amazonaws.com`,
      };
    case 'azure':
      return {
        ip: internal
          ? `10.224.0.${(n % 200) + 10}`
          : `20.${(n * 37) % 250}.${(n * 11) % 250}.${(n % 250) + 1}`,
      };
    case 'gcp':
      return {
        ip: internal
          ? `10.128.0.${(n % 200) + 10}`
          : `34.${(n * 41) % 250}.${(n * 13) % 250}.${(n % 250) + 1}`,
      };
  }
}

export function serviceCidrBase(cloud: SandboxCloud): string {
  return cloud === 'aws' ? '172.20' : cloud === 'azure' ? '10.0' : '34.118';
}

export function podCidrBase(cloud: SandboxCloud): string {
  return cloud === 'aws' ? '10.0' : cloud === 'azure' ? '10.244' : '10.52';
}

export function registryFor(info: KubeClusterInfo): string {
  switch (info.cloud) {
    case 'aws':
      return `${/^\d{12}$/.test(info.scope) ? info.scope : '123456789012'}.dkr.ecr.${regionOf(info)}.amazonaws.com/dolly-demo/shop`;
    case 'azure':
      return 'dollydemo.azurecr.io/shop';
    case 'gcp':
      return 'us-docker.pkg.dev/dolly-demo/shop';
  }
}
