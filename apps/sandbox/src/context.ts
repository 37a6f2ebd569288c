/**
 * The contract between the sandbox's core (HTTP/HTTPS servers, persistence, faults, admin
 * endpoints), its cloud modules (aws/, azure/, gcp/) and the Kubernetes API hub (kube/).
 * Each part is built and tested on its own against this file; server.ts wires them together.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalog } from '@dolly/model';

export type SandboxCloud = 'aws' | 'azure' | 'gcp';

/** What the sandbox gives every request handler. */
export interface SandboxContext {
  catalog: Catalog;
  /** SANDBOX_SPEED: real cloud durations are divided by this (60 = demo, 1000+ in tests). */
  speed(): number;
  /** Wall clock in ms; simulated operations derive their state lazily from it (restart-safe). */
  now(): number;
  faults: FaultInjector;
  kube: KubeHub;
  /** Base URLs the sandbox is reachable at, e.g. http://127.0.0.1:4510 and https://127.0.0.1:4511. */
  urls: { http: string; https: string };
  /** PEM of the sandbox CA that signed the HTTPS certificate (ARM, token endpoints, kube APIs). */
  caCertPem: string;
  /** Ask the core to persist state soon (debounced). */
  markDirty(): void;
  log: SandboxLogger;
}

export interface SandboxLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

/** A rule posted to /_sandbox/faults. */
export interface FaultRule {
  id?: string;
  cloud: SandboxCloud | 'kube';
  /** Operation name as the cloud's API names it (CreateCluster, managedClusters.createOrUpdate,
   * projects.locations.clusters.create ...) or '*' */
  operation: string;
  kind: 'throttle' | 'server-error' | 'timeout' | 'async-failure';
  /** how many times it fires (default 1); omit with probability for "always at this rate" */
  count?: number;
  probability?: number;
  /** for throttle: seconds sent back as Retry-After */
  retryAfterSeconds?: number;
  message?: string;
}

export interface FaultInjector {
  /**
   * Returns the fault to apply to this call, consuming one count, or undefined. With `kinds`, only
   * rules of those kinds match (e.g. ask for ['throttle','server-error','timeout'] on every request
   * and for ['async-failure'] only where an operation creates something), so a rule is never
   * consumed by a call that cannot apply it.
   */
  take(
    cloud: FaultRule['cloud'],
    operation: string,
    kinds?: readonly FaultRule['kind'][],
  ): FaultRule | undefined;
  list(): FaultRule[];
  add(rule: FaultRule): FaultRule;
  clear(): void;
}

/** How POST /_sandbox/accounts prepares an account (see `CloudModule.ensureAccount`). */
export interface AccountOptions {
  fresh?: boolean;
  /** AWS: regions where the account has no default VPC (deleted, as some organisations do) */
  noDefaultVpc?: string[];
}

/** One sandbox account/subscription/project, as listed by GET /_sandbox/accounts. */
export interface SandboxAccount {
  cloud: SandboxCloud;
  /** aws account id, azure subscription id, gcp project id */
  id: string;
  displayName: string;
  /** endpoints an SDK client needs, keyed by service (eks, ec2, sts, arm, login, container, token) */
  endpoints: Record<string, string>;
  /** credentials the sandbox issued for this account; sandbox credentials, not secrets */
  credentials: Record<string, unknown>;
  caCertPem: string;
}

/** A node pool as the kube hub needs it to make Nodes. */
export interface KubeNodePool {
  name: string;
  machineType: string;
  nodeCount: number;
  zones: string[];
  vcpus: number;
  memoryGiB: number;
  arch: 'x86_64' | 'arm64';
  os: 'linux' | 'windows';
  spot: boolean;
  /** labels and taints exactly as the cloud puts them on nodes (pool label, instance type, zone,
   * capacity type, arch, os, plus the user's node labels and taints) */
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
}

export interface KubeClusterInfo {
  cloud: SandboxCloud;
  scope: string;
  location: string;
  name: string;
  kubernetesVersion: string;
  nodePools: KubeNodePool[];
}

/** Who a kube request is from, after the cloud module verified its bearer token. */
export interface KubeIdentity {
  username: string;
  groups: string[];
}

export interface KubeHub {
  /** Create the cluster's API state if missing; refresh its Nodes from the pools otherwise. */
  ensureCluster(clusterId: string, info: KubeClusterInfo): void;
  removeCluster(clusterId: string): void;
  hasCluster(clusterId: string): boolean;
  /** Base URL of the cluster's API server, e.g. https://127.0.0.1:4511/k8s/<clusterId> */
  serverUrl(clusterId: string): string;
  /** Serve one request for the cluster; subPath starts with '/' (e.g. /api/v1/namespaces). */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    clusterId: string,
    subPath: string,
    who: KubeIdentity,
  ): Promise<void>;
  /** Install the demo web shop workloads (see sandbox.md) into a cluster. */
  seedDemoWorkloads(clusterId: string): void;
  snapshot(): unknown;
  restore(state: unknown): void;
  reset(): void;
  stateView(): unknown;
}

/** A cluster to create already running (demo fleet seeding). */
export interface SeedCluster {
  scope: string;
  location: string;
  name: string;
  kubernetesVersion: string;
  labels: Record<string, string>;
  /** regional GKE when true, zonal when false (GCP only) */
  regional?: boolean;
  nodePools: {
    name: string;
    machineType: string;
    /** total nodes (GKE: divided across zones by the module) */
    nodeCount: number;
    autoscaling?: { minNodes: number; maxNodes: number };
    spot?: boolean;
    zones?: string[];
    labels?: Record<string, string>;
    taints?: KubeNodePool['taints'];
    diskSizeGb?: number;
    mode?: 'system' | 'user';
  }[];
  withDemoWorkloads?: boolean;
  /** Azure only: AKS-managed Azure AD integration (the kube API then takes Entra tokens) */
  aadProfile?: { enableAzureRBAC?: boolean; adminGroupObjectIDs?: string[] };
  /** Azure only: no local (static) credential; with `aadProfile`, Entra tokens are the only way in */
  disableLocalAccounts?: boolean;
}

/** One cloud emulation. */
export interface CloudModule {
  cloud: SandboxCloud;
  /** Handle the request if it belongs to this cloud; return false to let the next module try. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    url: URL,
    transport: 'http' | 'https',
  ): Promise<boolean>;
  /** Verify a bearer token presented to a kube API of one of this cloud's clusters. */
  authenticateKube(clusterId: string, bearerToken: string): KubeIdentity | undefined;
  /**
   * Create accounts (aws account / azure subscription / gcp project) and their credentials. With
   * `fresh`, the account is as the cloud hands out a new one: nothing a clone needs is prepared (no
   * IAM roles, resource provider not registered, Kubernetes Engine API disabled and no `default`
   * network). The demo and test accounts are prepared.
   */
  ensureAccount(id: string, displayName: string, opts?: AccountOptions): SandboxAccount;
  accounts(): SandboxAccount[];
  seedCluster(accountId: string, cluster: SeedCluster): void;
  snapshot(): unknown;
  restore(state: unknown): void;
  reset(): void;
  stateView(): unknown;
  /**
   * Optional: the clusterId (as used for the kube hub and /k8s/<clusterId>) of a cluster of this
   * cloud, for GET /_sandbox/kubeconfig. Without it the core uses `${cloud}-${scope}-${location}-${name}`
   * lower-cased with every character outside [a-z0-9-] replaced by '-'.
   */
  clusterId?(scope: string, location: string, name: string): string;
  /** Optional: called by the core's timer (about 4 times a second) to advance simulated operations
   * (e.g. call kube.ensureCluster when a cluster turns ready). Must be cheap. */
  tick?(): void;
}
