import {
  type ClonePolicyRule,
  defineAbilitiesFor,
  evaluateClonePolicy,
  evaluateSourceWrites,
  type PolicyDecision,
  type Role,
  roleAtLeast,
  sourceWrites,
} from '@dolly/authz';
import type { RequestBody } from '@dolly/api-client';
import { MIN_BANDWIDTH_BYTES_PER_SEC } from '@dolly/contracts';
import { type Permission, rolePlural } from '../../lib/abilities.ts';
import type { ClusterSummary } from '../../lib/clusters.ts';

export type MigrationBody = RequestBody<'/api/v1/migrations', 'post'>;

export const migrateSteps = [
  { key: 'source', label: 'Source' },
  { key: 'target', label: 'Target' },
  { key: 'mappings', label: 'Mappings' },
  { key: 'review', label: 'Dry run review' },
  { key: 'confirm', label: 'Confirm & start' },
] as const;
export type MigrateStep = (typeof migrateSteps)[number]['key'];

/** One key → value row of a map editor; empty rows are ignored. */
export interface MapRow {
  key: string;
  value: string;
}

export const mapFields = ['storageClassMap', 'registryMap', 'nodePoolMap', 'identityMap'] as const;
export type MapField = (typeof mapFields)[number];

export interface MigrateState {
  sourceClusterId: string;
  /** What the user typed: names or globs, comma-separated. */
  namespacesText: string;
  labelSelector: string;
  includeSecrets: boolean;
  targetClusterId: string;
  /** Target namespace by source namespace (plain names only; globs keep their names). */
  targetNames: Record<string, string>;
  existing: 'skip' | 'update';
  maps: Record<MapField, MapRow[]>;
  copyVolumes: boolean;
  cutover: boolean;
  /** MiB/s as typed; empty = no cap. */
  bandwidthMiB: string;
  /** Seconds as typed. */
  readyTimeoutSec: string;
}

export const DEFAULT_NAMESPACES = 'shop';
export const DEFAULT_READY_TIMEOUT = 600;

export function initialMigrateState(prefill: {
  source?: string | null;
  target?: string | null;
  ns?: string | null;
}): MigrateState {
  return {
    sourceClusterId: prefill.source ?? '',
    namespacesText: prefill.ns ?? DEFAULT_NAMESPACES,
    labelSelector: '',
    includeSecrets: false,
    targetClusterId: prefill.target ?? '',
    targetNames: {},
    existing: 'skip',
    maps: { storageClassMap: [], registryMap: [], nodePoolMap: [], identityMap: [] },
    copyVolumes: true,
    cutover: false,
    bandwidthMiB: '',
    readyTimeoutSec: String(DEFAULT_READY_TIMEOUT),
  };
}

/** "shop, team-*,, shop" → ["shop", "team-*"]: trimmed, no empties, no duplicates. */
export function parseNamespaces(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    ),
  ];
}

export const isGlob = (ns: string) => /[*?[]/.test(ns);

export const defaultTargetName = (ns: string) => `${ns}-copy`;

/** The target name of each plain source namespace: what the user typed, else `<ns>-copy`. */
export function targetNamespaceRows(
  namespaces: readonly string[],
  typed: Readonly<Record<string, string>>,
): { source: string; target: string }[] {
  return namespaces
    .filter((ns) => !isGlob(ns))
    .map((source) => ({ source, target: typed[source] ?? defaultTargetName(source) }));
}

/** Map rows → record: trimmed, empty keys or values dropped, the last row of a key wins. */
export function rowsToRecord(rows: readonly MapRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of rows) {
    const key = row.key.trim();
    const value = row.value.trim();
    if (key && value) out[key] = value;
  }
  return out;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Why a target namespace name is not accepted, or undefined. */
export function targetNameProblem(name: string): string | undefined {
  if (!name) return 'Enter a target namespace';
  if (!DNS_LABEL.test(name)) return 'Use a DNS label: lowercase letters, digits and "-", at most 63';
  return undefined;
}

function positiveInt(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The POST /api/v1/migrations body from the wizard; defaults the API has are left out. */
export function buildMigrationBody(state: MigrateState, dryRun: boolean): MigrationBody {
  const namespaces = parseNamespaces(state.namespacesText);
  const namespaceMap: Record<string, string> = {};
  for (const row of targetNamespaceRows(namespaces, state.targetNames))
    if (row.target !== row.source) namespaceMap[row.source] = row.target;
  const body: MigrationBody = {
    sourceClusterId: state.sourceClusterId,
    targetClusterId: state.targetClusterId,
    namespaces,
    existing: state.existing,
    includeSecrets: state.includeSecrets,
    copyVolumes: state.copyVolumes,
    cutover: state.cutover,
    dryRun,
  };
  if (Object.keys(namespaceMap).length) body.namespaceMap = namespaceMap;
  if (state.labelSelector.trim()) body.labelSelector = state.labelSelector.trim();
  for (const field of mapFields) {
    const record = rowsToRecord(state.maps[field]);
    if (Object.keys(record).length) body[field] = record;
  }
  const mib = Number(state.bandwidthMiB.trim());
  if (state.bandwidthMiB.trim() && Number.isFinite(mib) && mib > 0)
    body.bandwidthBytesPerSec = Math.round(mib * 1024 * 1024);
  const timeout = positiveInt(state.readyTimeoutSec);
  if (timeout !== undefined && timeout !== DEFAULT_READY_TIMEOUT) body.readyTimeoutSec = timeout;
  return body;
}

/** May this role migrate at all (the API's `migrate` on Cluster)? */
export function migratePermission(role: Role): Permission {
  if (defineAbilitiesFor(role).can('migrate', 'Cluster')) return { allowed: true };
  return { allowed: false, reason: `${rolePlural[role]} cannot migrate namespaces` };
}

export const SECRETS_REASON = 'Only operators and above may copy Secrets';

/** Copying Secrets needs the operator role (the API's builtin:secrets-operator rule). */
export function secretsPermission(role: Role): Permission {
  return roleAtLeast(role, 'operator') ? { allowed: true } : { allowed: false, reason: SECRETS_REASON };
}

/**
 * May this role ask for these writes into the source (volume copy, cutover)? The API's fixed guard:
 * below operator, never into a prod-class source or one of unknown environment.
 */
export function sourceWritePermission(
  role: Role,
  source: Pick<ClusterSummary, 'name' | 'environment'> | undefined,
  options: { copyVolumes?: boolean; cutover?: boolean },
): Permission {
  if (!source) return { allowed: true };
  const decision = evaluateSourceWrites({
    role,
    source: { env: source.environment, cluster: source.name },
    writes: sourceWrites(options),
  });
  return decision.allowed ? { allowed: true } : { allowed: false, reason: decision.reason };
}

/**
 * The local policy verdict for migrating the namespaces from source into target, as the API
 * decides it (action `migrate`, one pair per namespace, the first refusal wins).
 */
export function decideMigration(
  role: Role,
  rules: ClonePolicyRule[],
  source: Pick<ClusterSummary, 'name' | 'environment'>,
  target: Pick<ClusterSummary, 'name' | 'environment'>,
  namespaces: readonly { source: string; target: string }[],
): PolicyDecision {
  const pairs = namespaces.length ? namespaces : [{ source: undefined, target: undefined }];
  let approval: PolicyDecision | undefined;
  let allowed: PolicyDecision | undefined;
  for (const pair of pairs) {
    const decision = evaluateClonePolicy(
      {
        role,
        action: 'migrate',
        source: {
          env: source.environment,
          cluster: source.name,
          ...(pair.source ? { namespace: pair.source } : {}),
        },
        target: {
          env: target.environment,
          cluster: target.name,
          ...(pair.target ? { namespace: pair.target } : {}),
        },
      },
      rules,
    );
    if (!decision.allowed) return decision;
    if (decision.requireApproval && !approval) approval = decision;
    allowed ??= decision;
  }
  return approval ?? (allowed as PolicyDecision);
}

/** The namespace pairs as the API sees them: plain names mapped, globs as they are. */
export function namespacePairs(state: MigrateState): { source: string; target: string }[] {
  const namespaces = parseNamespaces(state.namespacesText);
  const typed = targetNamespaceRows(namespaces, state.targetNames);
  return namespaces.map((ns) => typed.find((t) => t.source === ns) ?? { source: ns, target: ns });
}

/** Why the user cannot go on from a step yet, or undefined when they can. */
export function stepBlocker(
  step: MigrateStep,
  state: MigrateState,
  ctx: { source?: ClusterSummary; target?: ClusterSummary; decision?: PolicyDecision; role: Role },
): string | undefined {
  if (step === 'source') {
    if (!ctx.source) return 'Choose the source cluster';
    if (parseNamespaces(state.namespacesText).length === 0) return 'Enter at least one namespace';
    if (state.includeSecrets && !secretsPermission(ctx.role).allowed) return SECRETS_REASON;
  }
  if (step === 'target') {
    if (!ctx.target) return 'Choose the target cluster';
    if (ctx.decision && !ctx.decision.allowed) return ctx.decision.reason;
    const rows = targetNamespaceRows(parseNamespaces(state.namespacesText), state.targetNames);
    for (const row of rows) {
      const problem = targetNameProblem(row.target);
      if (problem) return `${row.source}: ${problem}`;
    }
    const targets = rows.map((r) => r.target);
    const dup = targets.find((t, i) => targets.indexOf(t) !== i);
    if (dup) return `Two namespaces map to ${dup}`;
    if (ctx.source?.id === ctx.target.id && rows.some((r) => r.source === r.target))
      return 'Into the same cluster, every namespace needs a new name';
  }
  if (step === 'mappings') {
    if (state.cutover && !state.copyVolumes) return 'Cutover needs copy volumes';
    const writes = sourceWritePermission(ctx.role, ctx.source, state);
    if (!writes.allowed) return writes.reason;
    if (
      state.bandwidthMiB.trim() &&
      !(Number(state.bandwidthMiB) * 1024 * 1024 >= MIN_BANDWIDTH_BYTES_PER_SEC)
    )
      return `The bandwidth limit must be at least ${MIN_BANDWIDTH_BYTES_PER_SEC / 1024 / 1024} MiB/s (64 KiB/s)`;
    const timeout = positiveInt(state.readyTimeoutSec);
    if (timeout === undefined || timeout > 86_400)
      return 'The ready timeout must be a whole number of seconds, at most 86400';
  }
  return undefined;
}
