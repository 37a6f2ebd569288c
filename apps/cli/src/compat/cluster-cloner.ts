import type { CloudAccount, ClusterSummary, CreatePlanBody } from '../api/types.ts';
import { CliError } from '../errors.ts';

/** Cluster Cloner's command-line flags, as its users type them. */
export interface ClusterClonerFlags {
  inputcloud?: string;
  inputscope?: string;
  inputlocation?: string;
  outputcloud?: string;
  outputscope?: string;
  labelfilter?: string;
  nodryrun?: boolean;
  inputfile?: string;
}

/** The clouds a clone names; imported clusters (`kubernetes`) are never cloned. */
export type Cloud = Exclude<CloudAccount['cloud'], 'kubernetes'>;

const CLOUDS: Record<string, Cloud> = {
  aws: 'aws',
  eks: 'aws',
  amazon: 'aws',
  azure: 'azure',
  aks: 'azure',
  gcp: 'gcp',
  gke: 'gcp',
  google: 'gcp',
};

/** Cluster Cloner spelled clouds "GCP", "Azure", "AWS"; any case and the service names are accepted. */
export function parseCloud(value: string | undefined, flag: string): Cloud {
  const cloud = value ? CLOUDS[value.trim().toLowerCase()] : undefined;
  if (!cloud) throw new CliError(`${flag}: "${value ?? ''}" is not a cloud (AWS, Azure or GCP)`);
  return cloud;
}

const BOOLEAN_FLAGS = new Set(['nodryrun']);
const FLAGS = new Set([
  'inputcloud',
  'inputscope',
  'inputlocation',
  'outputcloud',
  'outputscope',
  'labelfilter',
  'nodryrun',
  'inputfile',
]);

/**
 * Cluster Cloner was a Go program: its flags worked with one dash (`-inputcloud GCP`), with
 * `=value`, and booleans as `-nodryrun=true`. Rewrites those to the `--flag value` form commander
 * parses, leaving every other argument alone.
 */
export function normaliseGoFlags(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const m = /^--?([a-z]+)(?:=(.*))?$/i.exec(arg);
    const name = m?.[1]?.toLowerCase();
    if (!m || !name || !FLAGS.has(name)) {
      out.push(arg);
      continue;
    }
    const value = m[2];
    if (BOOLEAN_FLAGS.has(name)) {
      if (value === undefined || /^(true|1|t)$/i.test(value)) out.push(`--${name}`);
      else if (!/^(false|0|f)$/i.test(value)) throw new CliError(`-${name}: "${value}" is not true or false`);
      continue;
    }
    out.push(`--${name}`);
    if (value !== undefined) out.push(value);
  }
  return out;
}

/** `k=v,k2=v2` (or `k:v`, Cluster Cloner's docs used both); label keys and values contain neither. */
export function parseLabelFilterFlag(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const pair = part.trim();
    if (!pair) continue;
    const at = pair.search(/[=:]/);
    if (at <= 0) throw new CliError(`-labelfilter: "${pair}" is not key=value`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

const accountScopes = (a: CloudAccount): string[] => {
  const extra = Array.isArray(a.settings.scopes) ? (a.settings.scopes as unknown[]).map(String) : [];
  return [...new Set([a.scope ?? '', ...extra].filter(Boolean))];
};

/**
 * The tenant's account of `cloud` that reaches `scope` (its own scope or one of settings.scopes).
 * Without a scope, the cloud's only account; several accounts make the scope necessary.
 */
export function selectAccount(
  accounts: readonly CloudAccount[],
  cloud: Cloud,
  scope: string | undefined,
  flag: 'input' | 'output',
): CloudAccount {
  const ofCloud = accounts.filter((a) => a.cloud === cloud);
  const list = (as: readonly CloudAccount[]) =>
    as.map((a) => `${a.name} (${accountScopes(a).join(', ') || 'no scope'})`).join('; ');
  if (!ofCloud.length) throw new CliError(`no ${cloud} account is connected`, 1, 'dolly accounts list');
  if (!scope) {
    if (ofCloud.length === 1) return ofCloud[0]!;
    throw new CliError(`several ${cloud} accounts: give -${flag}scope`, 1, `accounts: ${list(ofCloud)}`);
  }
  const match = ofCloud.filter((a) => accountScopes(a).includes(scope));
  if (match.length === 1) return match[0]!;
  if (!match.length)
    throw new CliError(`no ${cloud} account reaches scope "${scope}"`, 1, `accounts: ${list(ofCloud)}`);
  throw new CliError(`several ${cloud} accounts reach scope "${scope}"`, 1, `accounts: ${list(match)}`);
}

/**
 * The inventory clusters Cluster Cloner would have read: that cloud, scope and location, with all
 * the labels. A GKE region also takes the zonal clusters of its zones, as listing clusters of a
 * region did in Cluster Cloner's GKE reader.
 */
export function selectClusters(
  clusters: readonly ClusterSummary[],
  want: { cloud: Cloud; scope?: string; location?: string; labels: Record<string, string> },
): ClusterSummary[] {
  return clusters.filter(
    (c) =>
      c.cloud === want.cloud &&
      (!want.scope || c.scope === want.scope) &&
      (!want.location ||
        c.location === want.location ||
        (c.cloud === 'gcp' && c.location.startsWith(`${want.location}-`) && /-[a-z]$/.test(c.location))) &&
      Object.entries(want.labels).every(([k, v]) => c.labels[k] === v),
  );
}

/** POST /plans for the selected clusters into the output account (and scope, when given). */
export function planRequest(
  clusterIds: string[],
  target: CloudAccount,
  outputScope?: string,
): CreatePlanBody {
  return {
    source: { clusterIds },
    target: { accountId: target.id, ...(outputScope ? { scope: outputScope } : {}) },
  };
}
