import {
  bundledCatalog,
  type Catalog,
  type ClonePlan,
  type CloudId,
  PlanError,
  type PlanTarget,
  planClone,
  validatePlan,
} from '@dolly/model';
import { type Command, Option } from 'commander';
import { renderPlanTable } from '../format/plan-table';
import { InputError, parseLabelFilter, readSourceFile } from '../input';

export interface PlanCommandOptions {
  source: string;
  /** Required, except for --check and when re-planning a plan file (its target cloud is the default). */
  targetCloud?: CloudId;
  targetLocation?: string;
  targetScope?: string;
  labelFilter?: string;
  namePrefix?: string;
  nameSuffix?: string;
  kubernetesVersion?: string;
  secretsKeyRef?: string;
  id?: string;
  createdAt?: string;
  check?: boolean;
  output?: 'json' | 'table';
}

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  columns?: number;
}

/** Runs `dolly plan` and returns the exit code (0 ok, 1 input or plan error). */
export function runPlan(opts: PlanCommandOptions, io: CommandIO, catalog: Catalog = bundledCatalog): number {
  try {
    const input = readSourceFile(opts.source);
    if (opts.check) {
      if (input.kind !== 'plan') {
        io.stderr(`${opts.source}: --check needs a ClonePlan file`);
        return 1;
      }
      const v = validatePlan(input.plan, catalog);
      if (!v.ok) {
        for (const i of v.issues) io.stderr(`${opts.source}: ${i.path}: ${i.message}`);
        return 1;
      }
      io.stderr(`${opts.source}: plan is valid (${input.plan.items.length} item(s))`);
      return 0;
    }
    const cloud = opts.targetCloud ?? (input.kind === 'plan' ? input.plan.items[0]?.target.cloud : undefined);
    if (!cloud) {
      io.stderr("error: required option '--target-cloud <cloud>' not specified");
      return 1;
    }
    const target: PlanTarget = { cloud };
    if (opts.targetLocation) target.location = opts.targetLocation;
    if (opts.targetScope) target.scope = opts.targetScope;
    if (opts.namePrefix) target.namePrefix = opts.namePrefix;
    if (opts.nameSuffix) target.nameSuffix = opts.nameSuffix;
    if (opts.kubernetesVersion) target.kubernetesVersion = opts.kubernetesVersion;
    if (opts.secretsKeyRef) target.secretsKeyRef = opts.secretsKeyRef;
    const planOptions: Parameters<typeof planClone>[3] = {};
    if (opts.labelFilter) planOptions.labelFilter = parseLabelFilter(opts.labelFilter);
    // Re-planning a plan keeps its id so provenance labels stay stable.
    const id = opts.id ?? (input.kind === 'plan' ? input.plan.id : undefined);
    if (id) planOptions.id = id;
    if (opts.createdAt) planOptions.createdAt = opts.createdAt;
    const plan: ClonePlan = planClone(input.clusters, target, catalog, planOptions);
    if (plan.items.length === 0)
      io.stderr(`${opts.source}: no cluster matches --label-filter ${opts.labelFilter ?? ''}`.trim());
    const output = opts.output ?? (io.isTTY ? 'table' : 'json');
    io.stdout(
      output === 'json'
        ? JSON.stringify(plan, null, 2)
        : renderPlanTable(plan, catalog, io.columns ?? 140, io.isTTY),
    );
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(e.message);
      return 1;
    }
    if (e instanceof PlanError) {
      for (const i of e.issues) io.stderr(`${opts.source}: ${i.path}: ${i.message}`);
      return 1;
    }
    io.stderr(`dolly plan: ${(e as Error).message}`);
    return 1;
  }
}

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description(
      'Plan a clone offline: translate clusters from a file into another cloud, explaining every decision',
    )
    .requiredOption(
      '--source <file>',
      'ClusterSpec, array of ClusterSpecs, ClonePlan, or Cluster Cloner JSON (YAML also read)',
    )
    .addOption(
      new Option('--target-cloud <cloud>', 'cloud to clone to')
        .choices(['aws', 'azure', 'gcp'])
        .makeOptionMandatory(),
    )
    .option('--target-location <location>', 'region (or GKE zone); default: the nearest to the source')
    .option('--target-scope <scope>', 'AWS account id, Azure subscription/resource-group, or GCP project')
    .option('--label-filter <k=v,...>', 'only clusters carrying all these labels')
    .option('--name-prefix <prefix>', 'prefix for the target cluster names')
    .option('--name-suffix <suffix>', 'suffix for the target cluster names')
    .option('--kubernetes-version <version>', 'target Kubernetes version instead of the translated one')
    .option('--secrets-key-ref <ref>', 'secrets-encryption key in the target account')
    .option('--id <id>', 'plan id (default: a hash of the input)')
    .option('--created-at <iso>', 'createdAt to record in the plan')
    .option('--check', 'validate a ClonePlan file against the catalog instead of planning')
    .addOption(
      new Option('--output <format>', 'json (default when piped) or table (default on a terminal)').choices([
        'json',
        'table',
      ]),
    )
    .action((opts: PlanCommandOptions) => {
      process.exitCode = runPlan(opts, {
        stdout: (t) => process.stdout.write(`${t}\n`),
        stderr: (t) => process.stderr.write(`${t}\n`),
        isTTY: process.stdout.isTTY === true,
        columns: process.stdout.columns,
      });
    });
}
