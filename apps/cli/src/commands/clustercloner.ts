import { clonePlanSchema } from '@dolly/model';
import type { Command } from 'commander';
import type { Run } from '../api/types.ts';
import { handle } from '../command-kit.ts';
import {
  type ClusterClonerFlags,
  parseCloud,
  parseLabelFilterFlag,
  planRequest,
  selectAccount,
  selectClusters,
} from '../compat/cluster-cloner.ts';
import { CliError } from '../errors.ts';
import { println, type Runtime } from '../runtime.ts';
import { applyPlan } from './apply.ts';
import { listAllClusters } from './clusters.ts';
import { runPlan } from './plan.ts';
import { watchToOutcome } from '../run/watch-command.ts';
import { clusterPath } from '../refs.ts';

/** The created clusters, as Cluster Cloner printed them after a real run: the target specs. */
function createdClusters(document: unknown, runs: Run[]): unknown[] {
  const plan = clonePlanSchema.parse(document);
  return runs
    .map((run, i) => ({ run, item: plan.items[run.planItemIndex ?? i] }))
    .filter(({ run, item }) => item && run.status === 'succeeded')
    .map(({ run, item }) => {
      const result = (run.result ?? {}) as { clusterId?: unknown };
      return {
        ...item!.target,
        runId: run.id,
        ...(typeof result.clusterId === 'string' ? { clusterId: result.clusterId } : {}),
      };
    });
}

export function registerClusterClonerCommand(program: Command, rt: Runtime): void {
  program
    .command('clustercloner')
    .alias('cluster-cloner')
    .description("Cluster Cloner's command line on Dolly: dry run prints the JSON plan, --nodryrun creates")
    .option('--inputcloud <cloud>', 'cloud to read clusters from: AWS, Azure or GCP')
    .option('--inputscope <scope>', 'GCP project, Azure subscription or AWS account id to read from')
    .option('--inputlocation <location>', 'region or zone to read from (a GCP region includes its zones)')
    .option('--outputcloud <cloud>', 'cloud to create the clones in')
    .option('--outputscope <scope>', 'GCP project, Azure subscription or AWS account id to create them in')
    .option('--labelfilter <k=v,...>', 'only clusters carrying all these labels')
    .option('--nodryrun', 'create the clusters (apply the plan and watch it); default is a dry run')
    .option(
      '--inputfile <file>',
      'read the clusters from a Cluster Cloner (or Dolly) JSON file instead, offline',
    )
    .addHelpText(
      'after',
      `
Flags are accepted the Go way too (-inputcloud GCP, -nodryrun=true). The input cloud and scope
pick the tenant's account of that cloud reaching that scope; the output cloud and scope pick the
target account. The dry run stores a plan on the server (nothing is created) and prints it as
JSON; --nodryrun applies it, shows progress on stderr and prints the created clusters as JSON.
Exit codes with --nodryrun: 0 succeeded, 1 failed, 2 cancelled, rejected or rolled back,
3 partially succeeded.

Examples:
  $ dolly clustercloner --inputcloud GCP --inputscope dolly-demo-prod --inputlocation us-central1 \\
      --outputcloud AWS --outputscope 111111111111 --labelfilter env=prod
  $ dolly clustercloner -inputcloud=Azure -inputlocation=westeurope -outputcloud=GCP -nodryrun
  $ dolly clustercloner --inputfile clusters.json --outputcloud Azure`,
    )
    .action(
      handle<ClusterClonerFlags>(rt, async (kit, flags) => {
        const outputCloud = parseCloud(flags.outputcloud, '-outputcloud');
        const labels = parseLabelFilterFlag(flags.labelfilter);
        if (flags.inputfile) {
          if (flags.nodryrun)
            throw new CliError(
              '-nodryrun with -inputfile: Dolly creates clusters from its inventory',
              1,
              'dolly sync, then use -inputcloud/-inputscope/-inputlocation',
            );
          return runPlan(
            {
              source: flags.inputfile,
              targetCloud: outputCloud,
              ...(flags.outputscope ? { targetScope: flags.outputscope } : {}),
              ...(Object.keys(labels).length
                ? {
                    labelFilter: Object.entries(labels)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(','),
                  }
                : {}),
              output: 'json',
            },
            {
              stdout: (t) => println(rt.stdout, t),
              stderr: (t) => println(rt.stderr, t),
              isTTY: false,
            },
          );
        }
        const inputCloud = parseCloud(flags.inputcloud, '-inputcloud');
        const { api } = kit.session();
        const accounts = await api.listAccounts();
        const source = selectAccount(accounts, inputCloud, flags.inputscope, 'input');
        const target = selectAccount(accounts, outputCloud, flags.outputscope, 'output');
        const clusters = selectClusters(await listAllClusters(api, { accountId: source.id }), {
          cloud: inputCloud,
          ...(flags.inputscope ? { scope: flags.inputscope } : {}),
          ...(flags.inputlocation ? { location: flags.inputlocation } : {}),
          labels,
        });
        if (!clusters.length)
          throw new CliError(
            `no ${inputCloud} cluster in ${[flags.inputscope, flags.inputlocation].filter(Boolean).join('/') || source.name}${
              Object.keys(labels).length ? ` with labels ${flags.labelfilter}` : ''
            }`,
            1,
            'dolly clusters list (run dolly sync when the inventory is out of date)',
          );
        kit.note(`Cloning ${clusters.map(clusterPath).join(', ')} into ${target.name}.`);
        const plan = await api.createPlan(
          planRequest(
            clusters.map((c) => c.id),
            target,
            flags.outputscope,
          ),
        );
        if (!flags.nodryrun) {
          println(rt.stdout, JSON.stringify(plan.document, null, 2));
          kit.note(
            `Dry run: plan ${plan.id} is stored, nothing was created. Create with --nodryrun, or dolly apply ${plan.id} --watch.`,
          );
          return 0;
        }
        const runs = await applyPlan(kit, api, plan.id, {});
        return watchToOutcome(
          kit,
          api,
          runs.map((r) => r.id),
          {
            asData: true,
            print: (finished) =>
              println(rt.stdout, JSON.stringify(createdClusters(plan.document, finished), null, 2)),
          },
        );
      }),
    );
}
