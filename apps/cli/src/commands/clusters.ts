import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse, stringify } from 'yaml';
import type { DollyApi } from '../api/dolly-api.ts';
import type { ClusterQuery, ClusterSummary } from '../api/types.ts';
import { handle } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { outputOption } from '../output/format.ts';
import { labelsText, renderFields, renderTable } from '../output/table.ts';
import { since } from '../output/time.ts';
import { resolveAccount, resolveClusterId } from '../refs.ts';
import type { Runtime } from '../runtime.ts';

interface ListOptions {
  cloud?: ClusterQuery['cloud'];
  account?: string;
  location?: string;
  env?: string;
  label: string[];
  search?: string;
  limit?: string;
}

const collect = (value: string, previous: string[]): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

/** Every page (following nextCursor) up to `max` clusters. */
export async function listAllClusters(api: DollyApi, query: ClusterQuery, max = Infinity) {
  const items: ClusterSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.listClusters({
      ...query,
      ...(cursor ? { cursor } : {}),
      limit: Math.min(1000, max - items.length),
    });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < max);
  return items;
}

export function clusterTable(rows: ClusterSummary[], now = Date.now()): string {
  return renderTable(
    rows,
    [
      { header: 'name', value: (c) => c.name },
      { header: 'cloud', value: (c) => c.cloud },
      { header: 'location', value: (c) => c.location },
      { header: 'scope', value: (c) => c.scope },
      { header: 'env', value: (c) => c.environment ?? '' },
      { header: 'version', value: (c) => c.kubernetesVersion },
      { header: 'pools', value: (c) => String(c.pools) },
      { header: 'nodes', value: (c) => String(c.nodes) },
      { header: 'status', value: (c) => (c.vanishedAt ? 'vanished' : (c.status ?? '')) },
      { header: 'seen', value: (c) => since(c.lastSeenAt, now) },
      { header: 'id', value: (c) => c.id },
    ],
    'No clusters. Connect an account and run dolly sync.',
  );
}

export function registerClustersCommand(program: Command, rt: Runtime): void {
  const clusters = program
    .command('clusters')
    .alias('cluster')
    .description('The inventory: every cluster of every connected cloud account')
    .addHelpText(
      'after',
      `
A cluster is named by its id, its name, or cloud/location/name when names repeat.

Examples:
  $ dolly clusters list --env prod
  $ dolly clusters list --cloud gcp --label team=shop -o json
  $ dolly clusters get gcp/us-central1/shop-prod
  $ dolly clusters kubeconfig aws/us-east-1/shop-prod > kubeconfig.yaml
  $ dolly clusters import --name onprem-dev --kubeconfig ~/.kube/onprem.yaml --environment dev`,
    );

  clusters
    .command('list', { isDefault: true })
    .alias('ls')
    .description('List clusters, filtered')
    .option('--cloud <cloud>', 'aws, azure, gcp or kubernetes (imported)')
    .option('--account <account>', 'account id or name')
    .option('--location <location>', 'region or zone')
    .option('--env <env>', 'environment (prod, staging, dev, …)')
    .option('-l, --label <k=v>', 'label that must match; repeat or comma-separate for several', collect, [])
    .option('-q, --search <text>', 'text in the cluster name')
    .option('--limit <n>', 'at most this many clusters')
    .addOption(outputOption())
    .action(
      handle<ListOptions>(rt, async (kit, opts) => {
        const { api } = kit.session();
        for (const l of opts.label)
          if (l.indexOf('=') <= 0) throw new CliError(`--label "${l}" is not key=value`);
        const query: ClusterQuery = {
          ...(opts.cloud ? { cloud: opts.cloud } : {}),
          ...(opts.account ? { accountId: (await resolveAccount(api, opts.account)).id } : {}),
          ...(opts.location ? { location: opts.location } : {}),
          ...(opts.env ? { env: opts.env } : {}),
          ...(opts.label.length ? { label: opts.label } : {}),
          ...(opts.search ? { q: opts.search } : {}),
        };
        const max = opts.limit ? Number(opts.limit) : Infinity;
        if (Number.isNaN(max) || max < 1) throw new CliError('--limit must be a positive number');
        const items = await listAllClusters(api, query, max);
        kit.print(items, () => clusterTable(items));
        return 0;
      }),
    );

  clusters
    .command('get')
    .description('One cluster with its node pools')
    .argument('<cluster>', 'id, name, or cloud/location/name')
    .addOption(outputOption())
    .action(
      handle<object, [string]>(rt, async (kit, _opts, ref) => {
        const { api } = kit.session();
        const c = await api.getCluster(await resolveClusterId(api, ref));
        kit.print(c, () =>
          [
            renderFields([
              ['Name', c.name],
              ['ID', c.id],
              ['Cloud', `${c.cloud} (account ${c.accountName})`],
              ['Scope', c.scope],
              ['Location', c.location],
              ['Kubernetes', c.kubernetesVersion],
              [
                'Environment',
                c.environment ? `${c.environment} (from ${c.environmentSource ?? 'unknown'})` : '—',
              ],
              ['Labels', labelsText(c.labels) || '—'],
              ['Status', c.vanishedAt ? `vanished ${since(c.vanishedAt, Date.now())}` : (c.status ?? '')],
              ['Last seen', since(c.lastSeenAt, Date.now())],
            ]),
            '',
            renderTable(
              c.nodePools,
              [
                { header: 'pool', value: (p) => p.name },
                { header: 'machine type', value: (p) => p.machineType },
                { header: 'nodes', value: (p) => String(p.nodeCount) },
              ],
              'No node pools.',
            ),
          ].join('\n'),
        );
        return 0;
      }),
    );

  clusters
    .command('kubeconfig')
    .description('A short-lived kubeconfig for a cluster (printed to stdout)')
    .argument('<cluster>', 'id, name, or cloud/location/name')
    .addOption(outputOption())
    .action(
      handle<{ output?: string }, [string]>(rt, async (kit, opts, ref) => {
        const { api } = kit.session();
        const result = await api.clusterKubeconfig(await resolveClusterId(api, ref));
        // Without -o the kubeconfig itself is the output, ready for > file or KUBECONFIG.
        // Dolly writes kubeconfigs as JSON (valid YAML); people and their tools expect the YAML layout.
        if (!opts.output) kit.rt.stdout.write(stringify(parse(result.kubeconfig)));
        else kit.print(result, () => result.kubeconfig);
        if (result.expiresAt) kit.note(`expires at ${result.expiresAt}`);
        return 0;
      }),
    );

  clusters
    .command('import')
    .description(
      'Import a cluster by kubeconfig (on-prem, EKS Anywhere, k3s) as a migration source or target',
    )
    .requiredOption('--name <name>', 'name in the inventory (lower case, digits, dashes)')
    .requiredOption('--kubeconfig <file>', "kubeconfig file ('-' reads stdin)")
    .option(
      '--kube-context <context>',
      "context of the kubeconfig; default its current one (--context picks Dolly's own)",
    )
    .option('--environment <env>', 'dev, staging, prod…; none is treated as prod by the prod guard')
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
Operators and above. Dolly keeps only the server, the CA and a token or client certificate (sealed),
tests the connection before saving, and refuses exec plugins, auth-providers,
insecure-skip-tls-verify and servers outside the endpoint policy. Imported clusters can be migrated
(dolly migrate), never cloned.`,
    )
    .action(
      handle<{ name: string; kubeconfig: string; kubeContext?: string; environment?: string }>(
        rt,
        async (kit, opts) => {
          const { api } = kit.session();
          let text: string;
          try {
            text = opts.kubeconfig === '-' ? readFileSync(0, 'utf8') : readFileSync(opts.kubeconfig, 'utf8');
          } catch {
            throw new CliError(`--kubeconfig: cannot read ${opts.kubeconfig}`);
          }
          const imported = await api.importCluster({
            name: opts.name,
            kubeconfig: text,
            ...(opts.kubeContext ? { context: opts.kubeContext } : {}),
            ...(opts.environment ? { environment: opts.environment } : {}),
          });
          kit.print(imported, () =>
            renderFields([
              ['Name', imported.name],
              ['ID', imported.clusterId],
              ['Cloud', 'kubernetes (imported)'],
              ['Server', imported.server],
              ['Kubernetes', imported.kubernetesVersion],
              ['Nodes', String(imported.nodes)],
              ['Environment', imported.environment ?? '— (treated as prod)'],
              ['Credential', `${imported.credentialAuth}, stored encrypted`],
            ]),
          );
          return 0;
        },
      ),
    );
}
