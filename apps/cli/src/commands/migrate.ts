import { MIN_BANDWIDTH_BYTES_PER_SEC } from '@dolly/contracts';
import { type Command, Option } from 'commander';
import type { MigrationBody, MigrationDryRun, Run } from '../api/types.ts';
import { type CommandKit, handle } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { outputOption } from '../output/format.ts';
import { renderTable } from '../output/table.ts';
import { resolveClusterId } from '../refs.ts';
import { watchToOutcome } from '../run/watch-command.ts';
import type { Runtime } from '../runtime.ts';
import { runDetail } from './runs.ts';

interface MigrateOptions {
  sourceCluster: string;
  targetCluster: string;
  namespace: string[];
  excludeNamespace: string[];
  namespaceMap: string[];
  selector?: string;
  includeKind: string[];
  excludeKind: string[];
  storageClassMap: string[];
  registryMap: string[];
  identityMap: string[];
  nodePoolMap: string[];
  ingressClassMap: string[];
  existing?: 'skip' | 'update';
  includeSecrets?: boolean;
  copyVolumes?: boolean;
  cutover?: boolean;
  bandwidth?: string;
  readyTimeout?: string;
  dryRun?: boolean;
  watch?: boolean;
}

export const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

/** `from=to` pairs into a map; the flag is named when one is malformed. */
export function parsePairs(pairs: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`${flag}: "${pair}" is not from=to`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

const positiveInt = (text: string | undefined, flag: string): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} must be a positive whole number`);
  return n;
};

/** The POST /migrations body from the flags (cluster references already resolved). */
export function migrationBody(
  opts: MigrateOptions,
  sourceClusterId: string,
  targetClusterId: string,
): MigrationBody {
  const maps = {
    namespaceMap: parsePairs(opts.namespaceMap, '--namespace-map'),
    storageClassMap: parsePairs(opts.storageClassMap, '--storage-class-map'),
    registryMap: parsePairs(opts.registryMap, '--registry-map'),
    identityMap: parsePairs(opts.identityMap, '--identity-map'),
    nodePoolMap: parsePairs(opts.nodePoolMap, '--node-pool-map'),
    ingressClassMap: parsePairs(opts.ingressClassMap, '--ingress-class-map'),
  };
  const bandwidth = positiveInt(opts.bandwidth, '--bandwidth');
  if (bandwidth !== undefined && bandwidth < MIN_BANDWIDTH_BYTES_PER_SEC)
    throw new CliError(
      `--bandwidth must be at least ${MIN_BANDWIDTH_BYTES_PER_SEC} bytes per second (64 KiB/s)`,
    );
  const readyTimeout = positiveInt(opts.readyTimeout, '--ready-timeout');
  const body: MigrationBody = {
    sourceClusterId,
    targetClusterId,
    namespaces: opts.namespace,
    dryRun: opts.dryRun === true,
  };
  for (const k of Object.keys(maps) as (keyof typeof maps)[])
    if (Object.keys(maps[k]).length) body[k] = maps[k];
  if (opts.excludeNamespace.length) body.excludeNamespaces = opts.excludeNamespace;
  if (opts.selector) body.labelSelector = opts.selector;
  if (opts.includeKind.length) body.includeKinds = opts.includeKind;
  if (opts.excludeKind.length) body.excludeKinds = opts.excludeKind;
  if (opts.existing) body.existing = opts.existing;
  if (opts.includeSecrets) body.includeSecrets = true;
  if (opts.copyVolumes) body.copyVolumes = true;
  if (opts.cutover) body.cutover = true;
  if (bandwidth) body.bandwidthBytesPerSec = bandwidth;
  if (readyTimeout) body.readyTimeoutSec = readyTimeout;
  return body;
}

const isRun = (v: unknown): v is Run =>
  v !== null && typeof v === 'object' && 'id' in v && 'status' in v && 'kind' in v;

const refText = (r: { kind: string; namespace?: string; name: string }) =>
  `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

/** The dry run for people: what apply would create or change, the checks, what is left to do. */
export function migrationPlanText(kit: CommandKit, doc: MigrationDryRun): string {
  const s = doc.summary;
  const lines = [
    kit.pc.bold(
      `Migration ${doc.source.name} (${doc.source.cloud}) → ${doc.target.name} (${doc.target.cloud}): ${s.objects} object(s), ${s.create} to create, ${s.update} to update, ${s.skip + s.unchanged} left as they are, ${s.volumes} volume(s)`,
    ),
    `Namespaces: ${doc.namespaces.map((n) => `${n.source}${n.target !== n.source ? ` → ${n.target}` : ''}${n.existsInTarget ? ' (exists)' : ''}`).join(', ')}`,
    '',
    renderTable(
      doc.objects,
      [
        { header: 'tier', value: (o) => o.tier },
        { header: 'object', value: (o) => refText(o.target) },
        { header: 'action', value: (o) => o.action },
        { header: 'changes', value: (o) => String(o.changes.length) },
      ],
      'No objects to migrate.',
    ),
  ];
  lines.push('', `Preflight: ${doc.preflight.ok ? kit.pc.green('ok') : kit.pc.red('failing')}`);
  for (const c of doc.preflight.checks) {
    const mark =
      c.status === 'pass' ? kit.pc.green('✔') : c.status === 'warn' ? kit.pc.yellow('!') : kit.pc.red('✖');
    lines.push(`  ${mark} ${c.name}: ${c.message}`);
  }
  for (const w of doc.warnings)
    lines.push(
      `${kit.pc.yellow('warning')} ${w.ref ? `${refText(w.ref)}: ` : ''}${w.message}${w.action ? ` (${w.action})` : ''}`,
    );
  lines.push(kit.pc.dim('Full document with diffs: -o yaml. Run it: the same command without --dry-run.'));
  return lines.join('\n');
}

export function registerMigrateCommand(program: Command, rt: Runtime): void {
  const repeat = 'repeat or comma-separate';
  program
    .command('migrate')
    .description(
      'Move namespaces (workloads, config, secrets, volumes with data) from one cluster to another',
    )
    .requiredOption('--source-cluster <cluster>', 'id, name or cloud/location/name')
    .requiredOption('--target-cluster <cluster>', 'id, name or cloud/location/name (may be the source)')
    .option('-n, --namespace <ns>', `namespace name or glob; ${repeat}`, collect, [])
    .option('--exclude-namespace <ns>', `namespace name or glob to leave out; ${repeat}`, collect, [])
    .option('--namespace-map <from=to>', `rename namespaces on the way; ${repeat}`, collect, [])
    .option('-l, --selector <selector>', 'Kubernetes label selector for the namespaced objects')
    .option(
      '--include-kind <kind>',
      `only these kinds (Deployment, Ingress.networking.k8s.io); ${repeat}`,
      collect,
      [],
    )
    .option('--exclude-kind <kind>', `kinds to leave out; ${repeat}`, collect, [])
    .option('--storage-class-map <from=to>', `storage classes; ${repeat}`, collect, [])
    .option('--registry-map <from=to>', `image registry prefixes; ${repeat}`, collect, [])
    .option('--identity-map <sa=identity>', `service account to cloud identity; ${repeat}`, collect, [])
    .option('--node-pool-map <from=to>', `node pools in selectors and affinities; ${repeat}`, collect, [])
    .option('--ingress-class-map <from=to>', `ingress classes; ${repeat}`, collect, [])
    .addOption(new Option('--existing <mode>', 'objects already in the target').choices(['skip', 'update']))
    .option('--include-secrets', 'copy Secrets (operator and above)')
    .option('--copy-volumes', "copy each volume's files")
    .option('--cutover', 'stop and sync: scale the source down, copy the final state, start the target')
    .option('--bandwidth <bytes-per-sec>', 'cap on the volume copy stream')
    .option('--ready-timeout <seconds>', 'how long workloads may take to become Ready')
    .option('--dry-run', 'show what would be created and changed; write nothing anywhere')
    .option('-w, --watch', 'watch the migration run to its end; the exit code is its outcome')
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
Examples:
  $ dolly migrate --source-cluster aws/us-east-1/shop-prod --target-cluster gcp/us-west1/shop-prod \\
      --namespace shop --dry-run
  $ dolly migrate --source-cluster … --target-cluster … -n shop --namespace-map shop=shop-dev \\
      --copy-volumes --registry-map 111111111111.dkr.ecr.us-east-1.amazonaws.com/app=us-docker.pkg.dev/app --watch`,
    )
    .action(
      handle<MigrateOptions>(rt, async (kit, opts) => {
        if (!opts.namespace.length) throw new CliError('--namespace: give at least one namespace (or glob)');
        const { api } = kit.session();
        const body = migrationBody(
          opts,
          await resolveClusterId(api, opts.sourceCluster),
          await resolveClusterId(api, opts.targetCluster),
        );
        const result = await api.createMigration(body);
        if (!isRun(result)) {
          kit.print(result, () => migrationPlanText(kit, result));
          return result.preflight.ok === false ? 1 : 0;
        }
        if (opts.watch) return watchToOutcome(kit, api, [result.id]);
        kit.print(
          result,
          () => `${runDetail(kit, result)}\n${kit.pc.dim(`Watch: dolly runs watch ${result.id}`)}`,
        );
        return 0;
      }),
    );
}
