import type { DollyApi } from '../api/dolly-api.ts';
import type { CreatePlanBody, StoredPlan } from '../api/types.ts';
import { CliError } from '../errors.ts';
import { parseLabelFilter } from '../input.ts';
import { resolveAccount, resolveClusterId } from '../refs.ts';

export interface OnlinePlanOptions {
  sourceCluster?: string[];
  sourceAccount?: string;
  sourceLocation?: string;
  labelFilter?: string;
  targetAccount?: string;
  targetLocation?: string;
  targetScope?: string;
  targetEnvironment?: string;
  namePrefix?: string;
  nameSuffix?: string;
  kubernetesVersion?: string;
}

/** The POST /plans body for `dolly plan --source-cluster …` or `--source-account … --label-filter …`. */
export async function onlinePlanBody(api: DollyApi, opts: OnlinePlanOptions): Promise<CreatePlanBody> {
  if (!opts.targetAccount)
    throw new CliError('--target-account is required to plan from the inventory', 1, 'dolly accounts list');
  const clusters = opts.sourceCluster ?? [];
  if (clusters.length && opts.sourceAccount)
    throw new CliError('give --source-cluster or --source-account, not both');
  const source: CreatePlanBody['source'] = {};
  if (clusters.length) {
    source.clusterIds = [];
    for (const ref of clusters) source.clusterIds.push(await resolveClusterId(api, ref));
    if (opts.sourceLocation) throw new CliError('--source-location selects with --source-account only');
  } else if (opts.sourceAccount) {
    source.accountId = (await resolveAccount(api, opts.sourceAccount)).id;
    if (opts.sourceLocation) source.location = opts.sourceLocation;
  } else {
    throw new CliError('what to clone? give --source-cluster, or --source-account (with --source-location)');
  }
  if (opts.labelFilter) {
    try {
      source.labelFilter = parseLabelFilter(opts.labelFilter);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  const target: CreatePlanBody['target'] = { accountId: (await resolveAccount(api, opts.targetAccount)).id };
  if (opts.targetLocation) target.location = opts.targetLocation;
  if (opts.targetScope) target.scope = opts.targetScope;
  if (opts.targetEnvironment) target.environment = opts.targetEnvironment;
  if (opts.namePrefix) target.namePrefix = opts.namePrefix;
  if (opts.nameSuffix) target.nameSuffix = opts.nameSuffix;
  if (opts.kubernetesVersion) target.kubernetesVersion = opts.kubernetesVersion;
  return { source, target };
}

export async function createOnlinePlan(api: DollyApi, opts: OnlinePlanOptions): Promise<StoredPlan> {
  return api.createPlan(await onlinePlanBody(api, opts));
}
