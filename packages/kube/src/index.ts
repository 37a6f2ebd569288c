/**
 * @dolly/kube: workload migration between Kubernetes clusters (design/migration.md). The worker
 * runs the steps of migration.ts; the parts are exported for the API (dry run), tests and tools.
 */
export { type ApplyItem, type ApplyOptions, applyObjects, applyOne } from './apply.ts';
export {
  createKubeClient,
  isAlreadyExists,
  isNotFound,
  KubeApiError,
  type KubeClient,
  type KubeClientOptions,
  kubeConfigFromYaml,
  type ResourceCatalog,
  type ResourceInfo,
} from './client.ts';
export type {
  MigrationCluster,
  MigrationClusters,
  MigrationEvent,
  MigrationProgress,
  StepOptions,
} from './context.ts';
export { diffAgainstLive, projectOnto, REDACTED, redactSecret } from './diff.ts';
export { type MigrationPlan, planToYaml } from './dry-run.ts';
export { type ExportResult, type ExportSelection, exportObjects } from './export.ts';
export {
  CUTOVER_ANNOTATION,
  FIELD_MANAGER,
  MIGRATION_LABEL,
  MOVER_LABEL,
  REPLICAS_ANNOTATION,
  SOURCE_ANNOTATION,
  UPDATED_ANNOTATION,
} from './labels.ts';
export {
  type ApplyReport,
  applyMigration,
  copyVolumes,
  PreflightFailedError,
  planMigration,
  recheckPreflight,
  rollbackMigration,
  summarizeMigration,
  verifyMigration,
} from './migration.ts';
export { type PreflightInput, type PreflightResult, runPreflight } from './preflight.ts';
export { createRateLimiter, type RateLimiter } from './rate-limit.ts';
export { findMigrationObjects, type RollbackReport } from './rollback.ts';
export { globToRegExp, kindSelected, namespaceMapFor, selectNamespaces } from './select.ts';
export { discoverTarget, type TargetDiscovery } from './target-discovery.ts';
export { groupByTier, tierOf } from './tiers.ts';
export {
  buildIndex,
  type TargetFacts,
  type TransformContext,
  type TransformedObject,
  type TransformOutput,
  TRANSFORM_RULES,
  transformObject,
  transformObjects,
} from './transform/index.ts';
export type { ClusterInfo, CloudId, KubeObject, ObjectRef } from './types.ts';
export { describeRef, refKey, toRef } from './types.ts';
export { verifyWorkloads, workloadReadiness } from './verify.ts';
export {
  checkWorkloadDrift,
  objectDrift,
  REDACTED_DIFFERS,
  type WorkloadDriftResult,
  workloadDrift,
} from './workload-drift.ts';
export {
  checksums,
  copyVolume,
  DEFAULT_MOVER_IMAGE,
  execInPod,
  type VolumeCopyOptions,
  type VolumeReport,
} from './volumes.ts';
