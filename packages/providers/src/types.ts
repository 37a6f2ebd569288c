import type { CatalogOverlay, ClusterSpec, TargetClusterSpec } from '@dolly/model';

export type CloudId = 'aws' | 'azure' | 'gcp';
/**
 * What an account connects to: a cloud, or one cluster imported by kubeconfig (`kubernetes`: on-prem,
 * EKS Anywhere, k3s), which Dolly can read and migrate workloads into and out of but never create.
 */
export type ProviderCloud = CloudId | 'kubernetes';

export type CredentialKind =
  | 'aws-access-key'
  | 'aws-assume-role'
  | 'aws-default-chain'
  | 'azure-client-secret'
  | 'azure-default'
  | 'gcp-service-account-key'
  | 'gcp-application-default'
  | 'kubeconfig';

/** A cloud account as the runs/worker code hands it over: credentials already decrypted. */
export interface CloudAccountConfig {
  id: string;
  cloud: ProviderCloud;
  name: string;
  /** aws account id / azure subscription id / gcp project id */
  scope?: string | null;
  /** optional service endpoint override (private or sovereign endpoints) */
  endpoint?: string | null;
  /** per service: aws {eks, ec2, sts}; azure {arm, login}; gcp {container, token} */
  endpoints?: Record<string, string>;
  /** PEM trusted in addition to the system CAs */
  caBundle?: string | null;
  credentialKind: CredentialKind;
  /** never logged, never put in errors */
  credentials: Record<string, unknown>;
  settings: {
    scopes?: string[];
    regions?: string[];
    resourceGroup?: string;
    clusterRoleArn?: string;
    nodeRoleArn?: string;
    /** AWS: apply creates the EKS cluster/node roles that do not exist (rollback deletes them) */
    createMissingRoles?: boolean;
    /**
     * AWS: apply creates a VPC with subnets across the region's zones when the region has neither
     * settings.subnetIds nor a default VPC; GCP: apply creates settings.network (or `default`) with
     * a subnet in the cluster's region when it does not exist. Recorded in the ledger; rollback
     * deletes them after the clusters.
     */
    createMissingNetwork?: boolean;
    subnetIds?: Record<string, string[]>;
    network?: string;
    [k: string]: unknown;
  };
}

export interface ProgressUpdate {
  phase: string;
  percent?: number;
  message?: string;
  cloudRequestId?: string;
}

export interface CloudResourceRef {
  cloud: CloudId;
  kind: 'cluster' | 'nodePool' | 'addon' | 'resourceGroup' | 'iamRole' | 'network';
  scope: string;
  location: string;
  cluster: string;
  name?: string;
}

export type ResourceOrigin = 'created' | 'adopted';

export interface OperationContext {
  signal?: AbortSignal;
  onProgress?: (p: ProgressUpdate) => void;
  /**
   * record every resource created, BEFORE waiting on it, for rollback; one that already existed
   * (with this plan's tag) is recorded `adopted`, which rollback never deletes
   */
  recordResource?: (r: CloudResourceRef, origin?: ResourceOrigin) => Promise<void>;
  pollIntervalMs?: number;
  timeoutMs?: number;
  /**
   * Runs a wait between polls; the worker uses it to free its work slot meanwhile, so waiting on
   * one cloud does not hold up work elsewhere.
   */
  idle?: <T>(wait: () => Promise<T>) => Promise<T>;
}

export type PlanContext = OperationContext & { planId: string };

/** One thing the target account lacks (see `preflight`); the plan adds which cluster it is for. */
export interface PreflightCheck {
  check: string;
  severity: 'blocker' | 'warning';
  message: string;
  fix: string;
  field?: string;
}

/**
 * An imported cluster as the inventory holds it: the canonical model's fields, but no cloud the
 * translation or catalog know, so it can never be the source or target of a clone.
 */
export type ImportedClusterSpec = Omit<ClusterSpec, 'cloud'> & { cloud: 'kubernetes' };

export interface DiscoveredCluster<S extends ClusterSpec | ImportedClusterSpec = ClusterSpec> {
  spec: S;
  raw: unknown;
  status: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  identity?: string;
  scopes: string[];
  missing: string[];
  message?: string;
}

export interface ClusterRef {
  scope: string;
  location: string;
  cluster: string;
}

export interface NodePoolRef extends ClusterRef {
  name: string;
}

/** A resource group as the run's ledger records it: scope "<subscription>/<group>", name the group. */
export interface ResourceGroupRef {
  scope: string;
  name: string;
}

/** An IAM role as the run's ledger records it: scope the AWS account, name the role. */
export interface RoleRef {
  scope: string;
  name: string;
}

/**
 * A network Dolly created, as the run's ledger records it: AWS scope the account, location the
 * region, name the VPC id (its subnets, gateway and routes go with it); GCP scope the project,
 * location the region of the subnet it made, name the network.
 */
export interface NetworkRef {
  scope: string;
  location: string;
  name: string;
}

export type ResourceGroupDeletion =
  | { deleted: true }
  | { deleted: false; reason: string; resources: string[] };

export interface CloudProvider {
  readonly cloud: ProviderCloud;
  testConnection(ctx?: OperationContext): Promise<ConnectionTestResult>;
  discover(
    opts?: { regions?: string[] } & OperationContext,
  ): Promise<DiscoveredCluster<ClusterSpec | ImportedClusterSpec>[]>;
  /** versions (and machine types where the API offers them), to merge over bundledCatalog */
  regionCatalog(region: string, ctx?: OperationContext): Promise<CatalogOverlay>;
  /**
   * What this account lacks to create `target` (roles, network), each with the exact fix; empty
   * when nothing is missing. Read-only. Clouds without such prerequisites leave it out.
   */
  preflight?(target: TargetClusterSpec, ctx?: OperationContext): Promise<PreflightCheck[]>;
  /**
   * Idempotent steps: a retry adopts what exists when it carries this plan's provenance label/tag
   * `dolly-plan`; a same-named resource without it is a `conflict` CloudError.
   */
  ensureControlPlane(
    target: ClusterSpec,
    ctx: PlanContext,
  ): Promise<{ status: string; cloudRequestId?: string }>;
  ensureNodePool(target: ClusterSpec, poolName: string, ctx: PlanContext): Promise<{ status: string }>;
  ensureAddons(
    target: ClusterSpec & { addons?: string[] },
    ctx: PlanContext,
  ): Promise<{ installed: string[] }>;
  waitClusterReady(target: ClusterSpec, ctx: OperationContext): Promise<DiscoveredCluster>;
  /** idempotent: gone = done */
  deleteNodePool(ref: NodePoolRef, ctx: OperationContext): Promise<void>;
  /** deletes pools first where the cloud requires it (EKS) */
  deleteCluster(ref: ClusterRef, ctx: OperationContext): Promise<void>;
  /**
   * Deletes a resource group Dolly created (Azure), waiting for ARM's long-running delete; gone =
   * done. ARM deletes everything inside a group, so one that still holds any resource is left in
   * place (`kept`, with why): Dolly deletes its clusters first, and never what it did not create.
   */
  deleteResourceGroup?(ref: ResourceGroupRef, ctx: OperationContext): Promise<ResourceGroupDeletion>;
  /** Deletes an IAM role Dolly created (AWS): detaches its policies, then DeleteRole; gone = done. */
  deleteRole?(ref: RoleRef, ctx: OperationContext): Promise<void>;
  /**
   * Deletes a network Dolly created (AWS VPC with its subnets, internet gateway and routes; GCP
   * network with its subnets); gone = done. One still in use by something Dolly did not create
   * is left in place (`kept`, with why), as a resource group is.
   */
  deleteNetwork?(ref: NetworkRef, ctx: OperationContext): Promise<ResourceGroupDeletion>;
  /** kubeconfig YAML with the credential each cloud issues */
  kubeconfig(ref: ClusterRef, ctx?: OperationContext): Promise<string>;
}

/** The provenance label every resource a plan creates carries (model.md, "Labels and tags"). */
export const PLAN_LABEL = 'dolly-plan';
