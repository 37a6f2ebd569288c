export * from './catalog/index';
export * from './cluster-cloner';
export { type Comparison, type ComparisonRow, compareClusters } from './compare';
export {
  cloneDrift,
  type DiffOptions,
  type DriftFinding,
  type DriftSeverity,
  diffClusterSpecs,
  driftFindingSchema,
  driftFingerprintText,
  driftSeveritySchema,
  type WorkloadFinding,
  workloadFindingSchema,
} from './drift';
export { preflightLines } from './preflight';
export * from './schemas';
export {
  type PlanTarget,
  SERVICE_NAME,
  type TranslationIssue,
  type TranslationResult,
  translateCluster,
} from './translate/cluster';
export {
  isCloudManagedNodeLabel,
  isCloudManagedTaint,
  LABEL_LIMITS,
  labelKeyProblem,
  labelMapProblems,
  labelValueProblem,
  PROVENANCE_KEYS,
} from './translate/labels';
export { distanceKm, type LocationTier, nearestRegion, resolveLocation } from './translate/location';
export {
  chooseMachineType,
  gcpCustomType,
  gpuChip,
  lookupMachineType,
  type MachineChoice,
  type MachineRequirement,
  requirementOf,
} from './translate/machine-type';
export { isLegalClusterName, isLegalPoolName, legalClusterName, legalPoolNames } from './translate/names';
export {
  matchesLabels,
  normaliseCluster,
  PlanError,
  type PlanOptions,
  planClone,
  planTargetRegions,
  unexplainedChanges,
} from './translate/plan';
export { chooseVersion, type VersionChoice } from './translate/version';
export { zonesKeepingTotal } from './translate/zones';
export { clusterCost, HOURS_PER_MONTH, planItemCost } from './translate/cost';
export {
  formatPath,
  type PlanValidation,
  type ValidationIssue,
  validateClusterForCloud,
  validatePlan,
  zodIssues,
} from './validate';
export * from './environment';
