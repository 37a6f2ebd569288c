import { z } from 'zod';

/** The three clouds Dolly speaks. */
export const cloudIdSchema = z.enum(['aws', 'azure', 'gcp']);

export const taintSchema = z.object({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

export const autoscalingSchema = z
  .object({ minNodes: z.number().int().min(0), maxNodes: z.number().int().min(1) })
  .refine((a) => a.minNodes <= a.maxNodes, {
    message: 'minNodes must not exceed maxNodes',
    path: ['minNodes'],
  });

/** A node pool in cloud-neutral units. Counts are TOTALS across zones (GKE per-zone counts multiplied out). */
export const nodePoolSpecSchema = z.object({
  name: z.string().min(1),
  machineType: z.string().min(1),
  nodeCount: z.number().int().min(0),
  autoscaling: autoscalingSchema.optional(),
  spot: z.boolean().default(false),
  zones: z.array(z.string().min(1)).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  taints: z.array(taintSchema).default([]),
  diskSizeGb: z.number().int().positive().optional(),
  diskType: z.string().min(1).optional(),
  maxPods: z.number().int().positive().optional(),
  kubernetesVersion: z.string().min(1).optional(),
  arch: z.enum(['x86_64', 'arm64']).optional(),
  os: z.enum(['linux', 'windows']).optional(),
  mode: z.enum(['system', 'user']).optional(),
});

export const endpointSchema = z.object({
  public: z.boolean(),
  private: z.boolean(),
  authorizedCidrs: z.array(z.string()).default([]),
});

export const networkSchema = z.object({
  podCidr: z.string().optional(),
  serviceCidr: z.string().optional(),
  plugin: z.string().optional(),
  /** Dolly addition: AKS `networkPluginMode` ("overlay": pods get addresses from podCidr, not the VNet). */
  pluginMode: z.string().optional(),
  /** Dolly addition: cluster DNS service address (AKS `dnsServiceIP`), inside serviceCidr. */
  dnsServiceIp: z.string().optional(),
});

/** A cluster as one cloud models it, in GKE terminology (model.md, "Canonical cluster"). */
export const clusterSpecSchema = z.object({
  cloud: cloudIdSchema,
  scope: z.string().min(1),
  location: z.string().min(1),
  name: z.string().min(1),
  kubernetesVersion: z.string().min(1),
  labels: z.record(z.string(), z.string()).default({}),
  environment: z.string().optional(),
  endpoint: endpointSchema.optional(),
  network: networkSchema.optional(),
  secretsEncryption: z.object({ keyRef: z.string().min(1) }).optional(),
  /**
   * Dolly addition: managed add-ons enabled on the cluster, as the cloud names them: EKS add-on names
   * (`aws-ebs-csi-driver`; the defaults EKS installs itself are left out), GKE `addonsConfig` keys
   * (`gcePersistentDiskCsiDriverConfig`), AKS `addonProfiles` keys (`azurepolicy`). On a target,
   * what apply enables; absent when the cloud has everything built in.
   */
  addons: z.array(z.string().min(1)).optional(),
  nodePools: z.array(nodePoolSpecSchema),
});

/**
 * A plan item's `target`: a ClusterSpec whose `scope` may be absent when the plan was made without a
 * target account (offline `dolly plan`); apply then takes the scope from the account it runs with.
 */
export const targetClusterSpecSchema = clusterSpecSchema.extend({
  scope: z.string().min(1).optional(),
});

export const decisionSchema = z.object({
  /** Path inside `target`, e.g. `nodePools[0].machineType`. */
  path: z.string(),
  from: z.json().optional(),
  to: z.json().optional(),
  rule: z.string(),
  reason: z.string(),
});

export const planNoteSchema = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
});

/**
 * Dolly addition: `severity: 'error'` marks a warning apply refuses unless overridden
 * (e.g. the target has no Kubernetes version as new as the source).
 */
export const planWarningSchema = planNoteSchema.extend({
  severity: z.enum(['warning', 'error']).optional(),
});

export const poolCostSchema = z.object({
  pool: z.string(),
  machineType: z.string(),
  nodes: z.number().int().min(0),
  /** null when the catalog has no price for the type. */
  hourlyUsd: z.number().nullable(),
  monthlyUsd: z.number().nullable(),
});

export const clusterCostSchema = z.object({
  /** Sum over the pools; null when any pool's price is unknown (see the pools). */
  monthlyUsd: z.number().nullable(),
  pools: z.array(poolCostSchema),
  /** The region whose list prices were used (the catalog holds one price region per cloud). */
  priceRegion: z.string().optional(),
  priceSource: z.string().optional(),
  priceDate: z.string().optional(),
});

/**
 * Dolly addition: monthly on-demand cost of source and target from the catalog's list prices
 * (informational: apply ignores it).
 */
export const planCostSchema = z.object({
  currency: z.literal('USD'),
  basis: z.string(),
  source: clusterCostSchema,
  target: clusterCostSchema,
});

export const clonePlanItemSchema = z.object({
  source: clusterSpecSchema,
  target: targetClusterSpecSchema,
  decisions: z.array(decisionSchema).default([]),
  warnings: z.array(planWarningSchema).default([]),
  dropped: z.array(planNoteSchema).default([]),
  cost: planCostSchema.optional(),
});

/**
 * Dolly addition: which catalog a stored plan was translated and validated with. `live` = the target
 * account's own lists for the region (over the bundled snapshot, which still fills what the cloud's
 * API does not list); `snapshot` = the bundled snapshot alone, `reason` says why. Set by the server:
 * an edited plan's value is replaced, an offline plan has none.
 */
export const planCatalogSchema = z.object({
  source: z.enum(['live', 'snapshot']),
  /** The target region the lists were asked for; several (comma-separated) when items differ. */
  region: z.string(),
  /** Name of the target account whose lists were used or asked for. */
  account: z.string().optional(),
  /** When the live lists were read (ISO 8601); absent for the snapshot. */
  fetchedAt: z.string().optional(),
  /** What the live lists replaced: the cloud's API lists versions everywhere, machine types on AWS. */
  covers: z.array(z.enum(['kubernetes-versions', 'machine-types'])).optional(),
  /** Why the snapshot was used (never the remote host's answer). */
  reason: z.string().optional(),
});

/**
 * Dolly addition: what the target account lacks for this plan (an IAM role not configured, no
 * subnets in two zones), each with the exact fix, found before apply. Set by the server; apply
 * checks again and refuses while a blocker remains.
 */
export const preflightFindingSchema = z.object({
  /** Name of the target cluster the finding is about. */
  target: z.string(),
  /** Stable id of the check, e.g. `aws.cluster-role`. */
  check: z.string(),
  severity: z.enum(['blocker', 'warning']),
  message: z.string(),
  fix: z.string(),
  /** The account setting to change, when one fixes it. */
  field: z.string().optional(),
});

export const planPreflightSchema = z.object({
  checkedAt: z.string(),
  /** Name of the target account that was checked. */
  account: z.string().optional(),
  findings: z.array(preflightFindingSchema),
  /** Why the checks that ask the cloud did not run (never the remote host's answer). */
  reason: z.string().optional(),
});

/** The plan file: what the dry run prints, what users edit and what apply takes back. */
export const clonePlanSchema = z.object({
  apiVersion: z.literal('dolly/v1'),
  kind: z.literal('ClonePlan'),
  id: z.string().optional(),
  createdAt: z.string().optional(),
  catalog: planCatalogSchema.optional(),
  preflight: planPreflightSchema.optional(),
  items: z.array(clonePlanItemSchema),
});

export type CloudIdValue = z.infer<typeof cloudIdSchema>;
export type Taint = z.infer<typeof taintSchema>;
export type Autoscaling = z.infer<typeof autoscalingSchema>;
export type NodePoolSpec = z.infer<typeof nodePoolSpecSchema>;
export type NodePoolSpecInput = z.input<typeof nodePoolSpecSchema>;
export type ClusterSpec = z.infer<typeof clusterSpecSchema>;
export type ClusterSpecInput = z.input<typeof clusterSpecSchema>;
export type TargetClusterSpec = z.infer<typeof targetClusterSpecSchema>;
export type JsonValue = z.infer<typeof decisionSchema>['from'];
export type Decision = z.infer<typeof decisionSchema>;
export type PlanWarning = z.infer<typeof planWarningSchema>;
export type PlanDropped = z.infer<typeof planNoteSchema>;
export type ClonePlanItem = z.infer<typeof clonePlanItemSchema>;
export type PlanCost = z.infer<typeof planCostSchema>;
export type ClusterCost = z.infer<typeof clusterCostSchema>;
export type ClonePlan = z.infer<typeof clonePlanSchema>;
export type PlanCatalog = z.infer<typeof planCatalogSchema>;
export type PreflightFinding = z.infer<typeof preflightFindingSchema>;
export type PlanPreflight = z.infer<typeof planPreflightSchema>;
