import type { ClusterSummary } from '../../lib/clusters.ts';
import { parseNamespaces } from '../migrate/migrate-state.ts';

export const wizardSteps = [
  { key: 'source', label: 'Source' },
  { key: 'target', label: 'Target' },
  { key: 'workloads', label: 'Workloads' },
  { key: 'options', label: 'Options' },
  { key: 'review', label: 'Review plan' },
  { key: 'confirm', label: 'Confirm' },
] as const;
export type WizardStep = (typeof wizardSteps)[number]['key'];

export interface SourceSelection {
  /** Pick clusters one by one, or every cluster of an account (in a location, with labels). */
  mode: 'clusters' | 'filter';
  clusterIds: string[];
  accountId?: string;
  location?: string;
  labels: [string, string][];
}

export interface TargetSelection {
  accountId?: string;
  environment?: string;
  /** Absent: the plan suggests the nearest region and says why. */
  location?: string;
  scope?: string;
}

export interface PoolOverride {
  include: boolean;
  machineType?: string;
  nodeCount?: number;
  spot?: boolean;
}

/** What to carry from the source; everything by default. */
export interface CarryOptions {
  labels: boolean;
  nodeLabels: boolean;
  taints: boolean;
  autoscaling: boolean;
  spot: boolean;
}

export interface CloneOptions {
  namePrefix: string;
  nameSuffix: string;
  kubernetesVersion: string;
  carry: CarryOptions;
  /** By source pool name. */
  pools: Record<string, PoolOverride>;
}

/** Optional: namespaces of the source migrated into the clone once it exists (one source only). */
export interface WorkloadsSelection {
  enabled: boolean;
  /** names or globs, comma-separated, as typed */
  namespacesText: string;
  includeSecrets: boolean;
  copyVolumes: boolean;
}

export interface WizardState {
  source: SourceSelection;
  target: TargetSelection;
  options: CloneOptions;
  workloads: WorkloadsSelection;
}

export function initialWizardState(prefilledClusterIds: string[]): WizardState {
  return {
    source: { mode: 'clusters', clusterIds: prefilledClusterIds, labels: [] },
    target: {},
    workloads: { enabled: false, namespacesText: '', includeSecrets: false, copyVolumes: false },
    options: {
      namePrefix: '',
      nameSuffix: '-copy',
      kubernetesVersion: '',
      carry: { labels: true, nodeLabels: true, taints: true, autoscaling: true, spot: true },
      pools: {},
    },
  };
}

/** The clusters a source selection stands for, by the same rule the API applies when planning. */
export function selectedSources(inventory: readonly ClusterSummary[], s: SourceSelection): ClusterSummary[] {
  if (s.mode === 'clusters') {
    const ids = new Set(s.clusterIds);
    return inventory.filter((c) => ids.has(c.id) && !c.vanishedAt);
  }
  if (!s.accountId) return [];
  return inventory.filter(
    (c) =>
      !c.vanishedAt &&
      c.accountId === s.accountId &&
      (!s.location || c.location === s.location) &&
      s.labels.every(([k, v]) => c.labels[k] === v),
  );
}

/** The request body's source part. */
export function sourceBody(s: SourceSelection) {
  if (s.mode === 'clusters') return { clusterIds: s.clusterIds };
  return {
    ...(s.accountId ? { accountId: s.accountId } : {}),
    ...(s.location ? { location: s.location } : {}),
    ...(s.labels.length ? { labelFilter: Object.fromEntries(s.labels) } : {}),
  };
}

/** The name a clone will most likely get (the plan may still make it legal for the target). */
export function expectedTargetName(
  sourceName: string,
  options: Pick<CloneOptions, 'namePrefix' | 'nameSuffix'>,
) {
  return `${options.namePrefix}${sourceName}${options.nameSuffix}`;
}

/** Why the user cannot go on from a step yet, or undefined when they can. */
export function stepBlocker(step: WizardStep, state: WizardState, sources: readonly ClusterSummary[]) {
  if (step === 'source') {
    if (state.source.mode === 'filter' && !state.source.accountId) return 'Choose the source account';
    if (sources.length === 0) return 'Choose at least one source cluster';
  }
  if (step === 'target') {
    if (!state.target.accountId) return 'Choose the target account';
    if (!state.target.environment) return 'Choose the target environment';
  }
  if (step === 'workloads' && state.workloads.enabled) {
    if (sources.length !== 1) return 'Workloads are migrated from one source cluster: choose exactly one';
    if (!workloadsBody(state.workloads)) return 'Enter at least one namespace';
  }
  return undefined;
}

/** The apply request's `workloads`, or undefined for a plain clone. */
export function workloadsBody(w: WorkloadsSelection) {
  if (!w.enabled) return undefined;
  const namespaces = parseNamespaces(w.namespacesText);
  if (!namespaces.length) return undefined;
  return {
    namespaces,
    ...(w.includeSecrets ? { includeSecrets: true } : {}),
    ...(w.copyVolumes ? { copyVolumes: true } : {}),
  };
}
