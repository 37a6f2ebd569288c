import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type EgressPolicy, assertEgressUrl, guardAgent } from '@dolly/contracts/egress';
import { CloudError, classifyCloudError, isAbortError } from '../errors';
import type {
  CloudAccountConfig,
  CloudProvider,
  ConnectionTestResult,
  DiscoveredCluster,
  ImportedClusterSpec,
  OperationContext,
} from '../types';
import { type ImportedCredential, importedKubeconfig, parseImportedCredential } from './credential';

/** The location every imported cluster has in the inventory: it is in no cloud region. */
export const IMPORTED_LOCATION = 'imported';

/** Labels that name a node's pool, on the clouds and in common on-prem installers (k3s, kubeadm). */
const POOL_LABELS = [
  'eks.amazonaws.com/nodegroup',
  'agentpool',
  'cloud.google.com/gke-nodepool',
  'node-pool',
  'nodepool',
  'pool',
];

interface KubeNode {
  metadata?: { name?: string; labels?: Record<string, string> };
}

/**
 * An account that is one cluster reached by kubeconfig (cloud `kubernetes`). It can be tested,
 * discovered (its one cluster, read from /version and the Node objects) and handed a kubeconfig
 * Dolly builds from the sealed server, CA and token; everything that would create or delete
 * infrastructure is refused: imported clusters can be migrated, not cloned.
 */
export function createKubernetesProvider(account: CloudAccountConfig, egress: EgressPolicy): CloudProvider {
  const credential = (): ImportedCredential => parseImportedCredential(account.credentials);
  const name = () => account.scope ?? account.name;

  const get = <T>(path: string, ctx: OperationContext = {}) =>
    kubeGet<T>(credential(), egress, path, ctx.signal);

  const notCloneable = (operation: string) =>
    new CloudError({
      cloud: 'kubernetes',
      operation,
      class: 'rejected',
      message: 'imported clusters can be migrated, not cloned',
    });

  const discoverOne = async (ctx: OperationContext = {}): Promise<DiscoveredCluster<ImportedClusterSpec>> => {
    const version = await get<{ gitVersion?: string }>('/version', ctx);
    const nodes = await get<{ items?: KubeNode[] }>('/api/v1/nodes?limit=500', ctx).catch(
      // reading nodes is a nicety: a token scoped to namespaces still imports the cluster
      (): { items?: KubeNode[] } => ({}),
    );
    const pools = new Map<string, { count: number; machineType: string }>();
    for (const n of nodes.items ?? []) {
      const labels = n.metadata?.labels ?? {};
      const pool = POOL_LABELS.map((l) => labels[l]).find(Boolean) ?? 'default';
      const machineType =
        labels['node.kubernetes.io/instance-type'] ?? labels['beta.kubernetes.io/instance-type'] ?? 'unknown';
      const p = pools.get(pool) ?? { count: 0, machineType };
      p.count++;
      pools.set(pool, p);
    }
    const spec: ImportedClusterSpec = {
      cloud: 'kubernetes',
      scope: name(),
      location: IMPORTED_LOCATION,
      name: name(),
      kubernetesVersion: (version.gitVersion ?? 'unknown').replace(/^v/, '').replace(/[-+].*$/, ''),
      labels: {},
      nodePools: [...pools].map(([poolName, p]) => ({
        name: poolName,
        machineType: p.machineType,
        nodeCount: p.count,
        spot: false,
        labels: {},
        taints: [],
      })),
    };
    return { spec, raw: { version, nodes: (nodes.items ?? []).length }, status: 'RUNNING' };
  };

  return {
    cloud: 'kubernetes',
    async testConnection(ctx): Promise<ConnectionTestResult> {
      const version = await get<{ gitVersion?: string }>('/version', ctx);
      return {
        ok: true,
        identity: `${new URL(credential().server).host} (Kubernetes ${version.gitVersion ?? 'unknown'})`,
        scopes: [name()],
        missing: [],
      };
    },
    async discover(ctx) {
      return [await discoverOne(ctx)];
    },
    async regionCatalog() {
      throw notCloneable('regionCatalog');
    },
    async ensureControlPlane() {
      throw notCloneable('ensureControlPlane');
    },
    async ensureNodePool() {
      throw notCloneable('ensureNodePool');
    },
    async ensureAddons() {
      throw notCloneable('ensureAddons');
    },
    async waitClusterReady() {
      throw notCloneable('waitClusterReady');
    },
    async deleteNodePool() {
      throw notCloneable('deleteNodePool');
    },
    async deleteCluster() {
      throw notCloneable('deleteCluster');
    },
    async kubeconfig() {
      return importedKubeconfig(name(), credential());
    },
  };
}

/**
 * One GET against the cluster's API server, through an egress-checked agent trusting only the
 * cluster's own CA. The answer's body is never put in an error: the tenant chose the server.
 */
export async function kubeGet<T>(
  c: ImportedCredential,
  egress: EgressPolicy,
  path: string,
  signal?: AbortSignal,
): Promise<T> {
  const base = new URL(c.server);
  const url = new URL(`${base.pathname.replace(/\/$/, '')}${path}`, base);
  assertEgressUrl(egress, url);
  const agent = guardAgent(
    new HttpsAgent({
      keepAlive: false,
      ...(c.caData ? { ca: Buffer.from(c.caData, 'base64').toString('utf8') } : {}),
      ...(c.certData && c.keyData
        ? {
            cert: Buffer.from(c.certData, 'base64').toString('utf8'),
            key: Buffer.from(c.keyData, 'base64').toString('utf8'),
          }
        : {}),
    }),
    egress,
  );
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = httpsRequest(
        url,
        {
          method: 'GET',
          agent,
          headers: { accept: 'application/json', ...(c.token ? { authorization: `Bearer ${c.token}` } : {}) },
          timeout: 15_000,
          ...(signal ? { signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) {
              reject(
                new CloudError({
                  cloud: 'kubernetes',
                  operation: `GET ${path}`,
                  class: status === 401 || status === 403 ? 'auth' : status >= 500 ? 'transient' : 'rejected',
                  message: `the cluster answered ${status} to GET ${path.replace(/\?.*$/, '')}`,
                }),
              );
              return;
            }
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
            } catch {
              reject(
                new CloudError({
                  cloud: 'kubernetes',
                  operation: `GET ${path}`,
                  class: 'rejected',
                  message: `the server did not answer GET ${path.replace(/\?.*$/, '')} like a Kubernetes API`,
                }),
              );
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('the cluster did not answer within 15 s')));
      req.on('error', reject);
      req.end();
    });
  } catch (e) {
    if (isAbortError(e)) throw e;
    throw e instanceof CloudError ? e : classifyCloudError('kubernetes', `GET ${path}`, e);
  } finally {
    agent.destroy();
  }
}
