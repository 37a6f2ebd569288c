import {
  bundledCatalog,
  type Catalog,
  type ClonePlan,
  type CloudId,
  PlanError,
  type PlanTarget,
  planCatalogLine,
  planClone,
  validatePlan,
} from '@dolly/model';
import { type Command, Option } from 'commander';
import YAML from 'yaml';
import { handle } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { renderPlanTable } from '../format/plan-table.ts';
import { InputError, parseLabelFilter, readSourceFile } from '../input.ts';
import { OUTPUT_FORMATS, outputOption, resolveFormat } from '../output/format.ts';
import { createOnlinePlan, type OnlinePlanOptions } from '../plans/create-online.ts';
import { storedPlanText } from '../plans/show.ts';
import type { Runtime } from '../runtime.ts';

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
  output?: 'json' | 'yaml' | 'table';
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
        : output === 'yaml'
          ? YAML.stringify(plan).trimEnd()
          : `${renderPlanTable(plan, catalog, io.columns ?? 140, io.isTTY)}\n\n${planCatalogLine(
              plan.catalog,
              {
                missing: 'offline plan: computed on this machine, no account was asked',
              },
            )}`,
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

type PlanFlags = Omit<PlanCommandOptions, 'source'> & OnlinePlanOptions & { source?: string };

const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

const ONLINE_ONLY = [
  'sourceCluster',
  'sourceAccount',
  'sourceLocation',
  'targetAccount',
  'targetEnvironment',
] as const;

export function registerPlanCommand(program: Command, rt: Runtime): void {
  const plan = program
    .command('plan')
    .description(
      'Plan a clone: from the inventory (stored on the server, ready to apply) or offline from a file, explaining every decision',
    )
    .option(
      '--source <file>',
      'offline: ClusterSpec, array of ClusterSpecs, ClonePlan, or Cluster Cloner JSON (YAML also read)',
    )
    .option(
      '--source-cluster <cluster>',
      'inventory cluster (id, name or cloud/location/name); repeat for several',
      collect,
    )
    .option('--source-account <account>', 'or every cluster of this account (id or name)…')
    .option('--source-location <location>', '…in this location…')
    .option('--label-filter <k=v,...>', '…carrying all these labels')
    .option('--target-account <account>', 'account the clones are created in (id or name)')
    .addOption(
      new Option('--target-cloud <cloud>', 'offline: cloud to clone to').choices(['aws', 'azure', 'gcp']),
    )
    .option('--target-location <location>', 'region (or GKE zone); default: the nearest to the source')
    .option('--target-scope <scope>', 'AWS account id, Azure subscription/resource-group, or GCP project')
    .option('--target-environment <env>', "environment of the clones (default: the target account's)")
    .option('--name-prefix <prefix>', 'prefix for the target cluster names')
    .option('--name-suffix <suffix>', 'suffix for the target cluster names')
    .option('--kubernetes-version <version>', 'target Kubernetes version instead of the translated one')
    .option('--secrets-key-ref <ref>', 'offline: secrets-encryption key in the target account')
    .option('--id <id>', 'offline: plan id (default: a hash of the input)')
    .option('--created-at <iso>', 'offline: createdAt to record in the plan')
    .option('--check', 'offline: validate a ClonePlan file against the catalog instead of planning')
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
From the inventory the plan is stored on the server and checked against the clone policies
(a refused clone exits 1 naming the policy); apply it with dolly apply. Offline (--source) the
plan is computed on this machine and nothing is sent anywhere.

Examples:
  $ dolly plan --source-cluster gcp/us-central1/shop-prod --target-account "Sandbox AWS"
  $ dolly plan --source-account "Sandbox Azure" --source-location westeurope \\
      --label-filter env=prod --target-account "Sandbox AWS" --target-location us-east-2 -o json > plan.json
  $ dolly plan get 4c0f… -o json > plan.json    # edit, then: dolly apply plan.json
  $ dolly plan --source examples/gke-shop-prod.json --target-cloud aws --output table`,
    )
    .action(
      handle<PlanFlags>(rt, async (kit, opts) => {
        if (opts.source) {
          const online = ONLINE_ONLY.filter((k) => opts[k] !== undefined);
          if (online.length)
            throw new CliError(
              `--source plans offline; ${online.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} need the inventory`,
            );
          return runPlan(
            { ...opts, source: opts.source, output: resolveFormat(opts.output, rt) },
            {
              stdout: (t) => rt.stdout.write(`${t}\n`),
              stderr: (t) => rt.stderr.write(`${t}\n`),
              isTTY: rt.stdout.isTTY === true,
              ...(rt.stdout.columns ? { columns: rt.stdout.columns } : {}),
            },
          );
        }
        if (!opts.sourceCluster?.length && !opts.sourceAccount)
          throw new CliError(
            'what to clone? give --source-cluster or --source-account (inventory), or --source FILE (offline)',
          );
        if (opts.targetCloud)
          kit.note('note: --target-cloud is ignored: the target account decides the cloud');
        const stored = await createOnlinePlan(kit.session().api, opts);
        kit.print(stored, () => storedPlanText(kit, stored));
        return 0;
      }),
    );

  plan
    .command('get')
    .description('A stored plan; -o json gives the file to edit and pass to dolly apply')
    .argument('<id>', 'plan id')
    .addOption(new Option('-o, --output <format>', 'json, yaml or table').choices(OUTPUT_FORMATS))
    .action(
      handle<object, [string]>(rt, async (kit, _opts, id) => {
        const stored = await kit.session().api.getPlan(id);
        kit.print(stored, () => storedPlanText(kit, stored));
        return 0;
      }),
    );
}
