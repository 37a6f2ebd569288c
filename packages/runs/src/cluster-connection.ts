/**
 * A connection to an inventory cluster, with the kubeconfig its cloud issues now (EKS token, AKS
 * user credential, GKE access token). The API (dry run, drift on demand) and the worker (migration
 * steps, drift) connect the same way; kubeconfigs are issued per use and never stored.
 */
import type { CloudAccount, Cluster } from '@dolly/db';
import { createKubeClient, type MigrationCluster } from '@dolly/kube';
import type { CloudProvider } from '@dolly/providers';

/**
 * The tenant's cloud accounts, opened with their credentials: what API and worker both hold (the
 * jobs package's `CloudAccess`), narrowed to what a connection needs.
 */
export interface ClusterCloudAccess {
  account(tenantId: string, accountId: string): Promise<CloudAccount>;
  provider(account: CloudAccount, scope?: string): Pick<CloudProvider, 'kubeconfig'>;
}

/** The inventory row's fields a connection reads. */
export type ConnectableCluster = Pick<Cluster, 'id' | 'accountId' | 'cloud' | 'name' | 'scope' | 'location'>;

/**
 * The scope that picks the account's provider. Azure keeps "<subscription>/<resource group>" as the
 * cluster's scope while the account's scope is the subscription, so only the subscription counts.
 */
export function providerScope(cluster: Pick<Cluster, 'cloud' | 'scope'>): string | undefined {
  const scope = cluster.cloud === 'azure' ? cluster.scope.split('/')[0] : cluster.scope;
  return scope || undefined;
}

/** How the migration steps and their reports name a cluster. */
export function clusterInfo(cluster: ConnectableCluster): MigrationCluster['info'] {
  return {
    clusterId: cluster.id,
    cloud: cluster.cloud,
    name: cluster.name,
    scope: cluster.scope,
    location: cluster.location,
  };
}

/** A kubeconfig for the cluster, with the credential its cloud issues now. */
export async function clusterKubeconfig(
  cloud: ClusterCloudAccess,
  tenantId: string,
  cluster: ConnectableCluster,
  signal?: AbortSignal,
): Promise<string> {
  const account = await cloud.account(tenantId, cluster.accountId);
  return cloud
    .provider(account, providerScope(cluster))
    .kubeconfig(
      { scope: cluster.scope, location: cluster.location, cluster: cluster.name },
      signal ? { signal } : {},
    );
}

/**
 * A client for the cluster. `renew` answers a 401 with a fresh kubeconfig: a step that outlasts
 * the cloud's token (EKS 15 min, Entra ~1 h) asks for one; a request-sized read does without.
 */
export async function connectCluster(
  cloud: ClusterCloudAccess,
  tenantId: string,
  cluster: ConnectableCluster,
  opts: { signal?: AbortSignal; renew?: () => Promise<string> } = {},
): Promise<MigrationCluster> {
  const kubeconfig = await clusterKubeconfig(cloud, tenantId, cluster, opts.signal);
  return {
    info: clusterInfo(cluster),
    client: createKubeClient(kubeconfig, opts.renew ? { renew: opts.renew } : {}),
  };
}
