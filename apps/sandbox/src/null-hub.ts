import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeClusterInfo, KubeHub, KubeIdentity } from './context.ts';
import { sendJson } from './http-util.ts';

/**
 * A minimal KubeHub used when the real one (src/kube) is not wired in: it records the clusters and
 * their node pools (so state, seeding and tests work) and answers kube API calls with a Status 501.
 */
export class NullKubeHub implements KubeHub {
  readonly clusters = new Map<string, KubeClusterInfo & { demoWorkloads: boolean }>();
  readonly requests: { clusterId: string; subPath: string; who: KubeIdentity }[] = [];

  constructor(private readonly baseUrl: string) {}

  ensureCluster(clusterId: string, info: KubeClusterInfo): void {
    const prev = this.clusters.get(clusterId);
    this.clusters.set(clusterId, { ...structuredClone(info), demoWorkloads: prev?.demoWorkloads ?? false });
  }
  removeCluster(clusterId: string): void {
    this.clusters.delete(clusterId);
  }
  hasCluster(clusterId: string): boolean {
    return this.clusters.has(clusterId);
  }
  serverUrl(clusterId: string): string {
    return `${this.baseUrl}/k8s/${clusterId}`;
  }
  async handle(
    _req: IncomingMessage,
    res: ServerResponse,
    clusterId: string,
    subPath: string,
    who: KubeIdentity,
  ): Promise<void> {
    this.requests.push({ clusterId, subPath, who });
    if (subPath === '/version') {
      const c = this.clusters.get(clusterId);
      sendJson(res, 200, {
        major: '1',
        minor: c?.kubernetesVersion.split('.')[1] ?? '0',
        gitVersion: `v${c?.kubernetesVersion}`,
      });
      return;
    }
    sendJson(res, 501, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: 'the sandbox Kubernetes API hub is not installed',
      reason: 'NotImplemented',
      code: 501,
    });
  }
  seedDemoWorkloads(clusterId: string): void {
    const c = this.clusters.get(clusterId);
    if (c) c.demoWorkloads = true;
  }
  snapshot(): unknown {
    return { clusters: [...this.clusters.entries()] };
  }
  restore(state: unknown): void {
    this.clusters.clear();
    const s = state as { clusters?: [string, KubeClusterInfo & { demoWorkloads: boolean }][] } | undefined;
    for (const [id, c] of s?.clusters ?? []) this.clusters.set(id, c);
  }
  reset(): void {
    this.clusters.clear();
  }
  stateView(): unknown {
    return {
      hub: 'null',
      clusters: [...this.clusters.entries()].map(([id, c]) => ({
        id,
        name: c.name,
        version: c.kubernetesVersion,
        nodePools: c.nodePools.map((p) => ({ name: p.name, nodes: p.nodeCount, machineType: p.machineType })),
        demoWorkloads: c.demoWorkloads,
      })),
    };
  }
}
