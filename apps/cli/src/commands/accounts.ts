import type { Command } from 'commander';
import type { CloudAccount } from '../api/types.ts';
import { handle } from '../command-kit.ts';
import { outputOption } from '../output/format.ts';
import { renderFields, renderTable } from '../output/table.ts';
import { since } from '../output/time.ts';
import { resolveAccount } from '../refs.ts';
import type { Runtime } from '../runtime.ts';

const scopes = (a: CloudAccount): string => {
  const extra = Array.isArray(a.settings.scopes) ? (a.settings.scopes as unknown[]).map(String) : [];
  return [...new Set([a.scope ?? '', ...extra].filter(Boolean))].join(', ');
};

const testResult = (a: CloudAccount): string => {
  const r = a.lastTestResult;
  if (!a.lastTestedAt) return 'never tested';
  const ok = r && typeof r === 'object' && 'ok' in r ? Boolean((r as { ok: unknown }).ok) : undefined;
  return `${ok === undefined ? 'tested' : ok ? 'ok' : 'failed'} ${since(a.lastTestedAt, Date.now())}`;
};

export function registerAccountsCommand(program: Command, rt: Runtime): void {
  const accounts = program
    .command('accounts')
    .alias('account')
    .description('Cloud accounts connected to the tenant (credentials are never shown)')
    .addHelpText(
      'after',
      `
An account is named by its id or its name.

Examples:
  $ dolly accounts list
  $ dolly accounts get "Sandbox AWS" -o yaml
  $ dolly accounts test "Sandbox Google Cloud"`,
    );

  accounts
    .command('list', { isDefault: true })
    .alias('ls')
    .description('List cloud accounts')
    .addOption(outputOption())
    .action(
      handle<object>(rt, async (kit) => {
        const items = await kit.session().api.listAccounts();
        kit.print(items, () =>
          renderTable(
            items,
            [
              { header: 'name', value: (a) => a.name },
              { header: 'cloud', value: (a) => a.cloud },
              { header: 'scopes', value: scopes },
              { header: 'env', value: (a) => a.defaultEnvironment ?? '' },
              { header: 'clusters', value: (a) => String(a.clusters) },
              { header: 'credentials', value: (a) => a.credentialKind },
              { header: 'id', value: (a) => a.id },
            ],
            'No cloud accounts connected.',
          ),
        );
        return 0;
      }),
    );

  accounts
    .command('get')
    .description('One cloud account')
    .argument('<account>', 'id or name')
    .addOption(outputOption())
    .action(
      handle<object, [string]>(rt, async (kit, _opts, ref) => {
        const a = await resolveAccount(kit.session().api, ref);
        kit.print(a, () =>
          renderFields([
            ['Name', a.name],
            ['ID', a.id],
            ['Cloud', a.cloud],
            ['Scopes', scopes(a)],
            ['Endpoint', a.endpoint],
            ['Credentials', `${a.credentialKind}${a.hasCaBundle ? ' (custom CA)' : ''}`],
            ['Environment', a.defaultEnvironment ?? '—'],
            ['Clusters', String(a.clusters)],
            ['Last test', testResult(a)],
            ['Created', a.createdAt],
          ]),
        );
        return 0;
      }),
    );

  accounts
    .command('test')
    .description('Check that the stored credentials work against the cloud')
    .argument('<account>', 'id or name')
    .addOption(outputOption())
    .action(
      handle<object, [string]>(rt, async (kit, _opts, ref) => {
        const { api } = kit.session();
        const a = await resolveAccount(api, ref);
        const result = await api.testAccount(a.id);
        const ok = result.ok;
        kit.print(result, () =>
          [
            `${ok ? kit.pc.green('✔ ok') : kit.pc.red('✖ failed')}: ${a.name} (${a.cloud})`,
            renderFields([
              ['Identity', result.identity],
              ['Scopes', result.scopes.join(', ')],
              ['Missing', result.missing.join('; ')],
              ['Message', result.message],
            ]),
          ].join('\n'),
        );
        return ok ? 0 : 1;
      }),
    );
}
