import { hostname } from 'node:os';
import type { Command } from 'commander';
import { createDollyApi } from '../api/dolly-api.ts';
import type { SessionInfo } from '../api/types.ts';
import { handle } from '../command-kit.ts';
import { normaliseUrl } from '../config/resolve.ts';
import { saveConfig, upsertContext } from '../config/store.ts';
import { CliError } from '../errors.ts';
import { outputOption } from '../output/format.ts';
import { renderFields } from '../output/table.ts';
import { promptSecret, readStdin } from '../prompt.ts';
import type { Runtime } from '../runtime.ts';
import { openConfig } from '../session.ts';

interface LoginOptions {
  url?: string;
  token?: string;
  tokenStdin?: boolean;
  email?: string;
  passwordStdin?: boolean;
  tenant?: string;
  name?: string;
}

/** `tenant@host:port`: unique per server and tenant, readable in `dolly context list`. */
export function defaultContextName(url: string, tenantSlug: string): string {
  return `${tenantSlug}@${new URL(url).host}`;
}

async function tokenFromPassword(rt: Runtime, url: string, opts: LoginOptions): Promise<string> {
  const password = opts.passwordStdin ? await readStdin(rt) : await promptSecret(rt, 'Password: ');
  const session = await createDollyApi({ baseUrl: url }).passwordSession(opts.email!, password, opts.tenant);
  try {
    const created = await session.createToken({
      name: `dolly-cli ${hostname()}`.slice(0, 100),
      role: session.info.role,
    });
    return created.token;
  } finally {
    await session.close();
  }
}

export function registerLoginCommand(program: Command, rt: Runtime): void {
  program
    .command('login')
    .description('Sign in to a Dolly server with an API token and remember it as a context')
    .argument('[url]', 'server URL, e.g. http://localhost:8080 (or --url, or DOLLY_URL)')
    .option('--url <url>', 'server URL')
    .option(
      '--token <token>',
      'API token (dolly_...); prefer --token-stdin, which keeps it out of shell history',
    )
    .option('--token-stdin', 'read the API token from stdin')
    .option('--email <email>', 'sign in with email and password instead; a token is created for this CLI')
    .option('--password-stdin', 'with --email: read the password from stdin')
    .option('--tenant <slug>', 'with --email: the tenant to open (default: your first)')
    .option('--name <context>', 'context name (default: tenant@host)')
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
Without --token, --token-stdin or --email, DOLLY_TOKEN is used, else the token is asked for.
The token is checked against the server before it is stored in the config file (mode 0600):
DOLLY_CONFIG, else $XDG_CONFIG_HOME/dolly/config.yaml, else ~/.config/dolly/config.yaml.

Examples:
  $ dolly login http://localhost:8080 --token-stdin < token.txt
  $ echo "$DOLLY_TOKEN" | dolly login --url https://dolly.example.com --token-stdin --name prod
  $ dolly login http://localhost:8080 --email developer@demo.dolly`,
    )
    .action(
      handle<LoginOptions, [string | undefined]>(rt, async (kit, opts, urlArg) => {
        const config = openConfig(rt);
        const current = config.loaded.config.contexts.find(
          (c) => c.name === config.loaded.config.currentContext,
        );
        const rawUrl = urlArg ?? opts.url ?? rt.env.DOLLY_URL ?? current?.url;
        if (!rawUrl)
          throw new CliError('which server?', 1, 'dolly login http://localhost:8080 --token-stdin');
        let url: string;
        try {
          url = normaliseUrl(new URL(rawUrl).toString());
        } catch {
          throw new CliError(`"${rawUrl}" is not a URL`);
        }
        const token = opts.token
          ? opts.token
          : opts.tokenStdin
            ? await readStdin(rt)
            : opts.email
              ? await tokenFromPassword(rt, url, opts)
              : (rt.env.DOLLY_TOKEN ?? (await promptSecret(rt, 'API token: ')));
        if (!token) throw new CliError('empty API token');
        const me: SessionInfo = await createDollyApi({ baseUrl: url, token }).me();
        const name = opts.name ?? defaultContextName(url, me.tenant.slug);
        const next = upsertContext(config.loaded.config, {
          name,
          url,
          token,
          tenant: me.tenant.slug,
          user: me.user.email,
          role: me.role,
        });
        saveConfig(config.file, next);
        const summary = {
          context: name,
          url,
          user: me.user.email,
          tenant: me.tenant.slug,
          role: me.role,
          config: config.file,
        };
        kit.print(summary, () =>
          [
            `Logged in to ${url} as ${me.user.email} (${me.role}) in tenant ${me.tenant.name}.`,
            renderFields([
              ['Context', `${name} (current)`],
              ['Config', config.file],
            ]),
          ].join('\n'),
        );
        return 0;
      }),
    );
}
