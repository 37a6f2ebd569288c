import { readFileSync } from 'node:fs';
import { ApiError } from '@dolly/api-client';
import { type Command, Option } from 'commander';
import type { SsoConfigBody, SsoSettings } from '../api/types.ts';
import { handle } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { outputOption } from '../output/format.ts';
import { renderFields } from '../output/table.ts';
import { readStdin } from '../prompt.ts';
import type { Runtime } from '../runtime.ts';

type SsoConfig = NonNullable<SsoSettings['config']>;
type Role = SsoConfig['groupRoles'][number]['role'];
const ROLES = ['owner', 'admin', 'operator', 'developer', 'viewer'] as const satisfies readonly Role[];
const SECRET_FLAGS = '--client-secret-file or --client-secret-env';

export interface SsoSetOptions {
  displayName?: string;
  issuerUrl?: string;
  clientId?: string;
  clientSecret?: string;
  clientSecretFile?: string;
  clientSecretEnv?: string;
  groupsClaim?: string;
  groupRole: string[];
  clearGroupRoles?: boolean;
  defaultRole?: string;
  enable?: boolean;
  disable?: boolean;
  disablePasswordSignIn?: boolean;
  allowPasswordSignIn?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const isRole = (text: string): text is Role => (ROLES as readonly string[]).includes(text);

function parseGroupRole(text: string): { group: string; role: Role } {
  const at = text.lastIndexOf('=');
  const group = text.slice(0, at).trim();
  const role = text.slice(at + 1).trim();
  if (at <= 0 || !group) throw new CliError(`--group-role "${text}" is not group=role`);
  if (!isRole(role)) throw new CliError(`--group-role "${text}": the role is one of ${ROLES.join(', ')}`);
  return { group, role };
}

function either(a: boolean | undefined, b: boolean | undefined, flags: string): boolean | undefined {
  if (a && b) throw new CliError(`give ${flags}, not both`);
  return a ? true : b ? false : undefined;
}

/**
 * The PUT /sso body: the current configuration with what the flags change. PUT replaces the whole
 * configuration, so a flag left out keeps the stored value instead of resetting it; the secret,
 * left out, stays the sealed one on the server.
 */
export function ssoBody(
  opts: SsoSetOptions,
  current: SsoConfig | null,
  clientSecret: string | undefined,
): SsoConfigBody {
  const displayName = opts.displayName ?? current?.displayName;
  const issuerUrl = opts.issuerUrl ?? current?.issuerUrl;
  const clientId = opts.clientId ?? current?.clientId;
  const missing = [
    displayName ? '' : '--display-name',
    issuerUrl ? '' : '--issuer-url',
    clientId ? '' : '--client-id',
    clientSecret || current ? '' : SECRET_FLAGS,
  ].filter(Boolean);
  if (!displayName || !issuerUrl || !clientId || missing.length)
    throw new CliError(`single sign-on is not set up yet: give ${missing.join(', ')}`);
  if (opts.groupRole.length && opts.clearGroupRoles)
    throw new CliError('give --group-role or --clear-group-roles, not both');
  const groupRoles = opts.groupRole.length
    ? opts.groupRole.map(parseGroupRole)
    : opts.clearGroupRoles
      ? []
      : (current?.groupRoles ?? []);
  let defaultRole = current?.defaultRole ?? null;
  if (opts.defaultRole !== undefined) {
    if (opts.defaultRole !== 'none' && !isRole(opts.defaultRole))
      throw new CliError(`--default-role is none or one of ${ROLES.join(', ')}`);
    defaultRole = opts.defaultRole === 'none' ? null : opts.defaultRole;
  }
  const enabled = either(opts.enable, opts.disable, '--enable or --disable') ?? current?.enabled ?? true;
  const passwordSignInDisabled =
    either(
      opts.disablePasswordSignIn,
      opts.allowPasswordSignIn,
      '--disable-password-sign-in or --allow-password-sign-in',
    ) ??
    current?.passwordSignInDisabled ??
    false;
  const groupsClaim = opts.groupsClaim ?? current?.groupsClaim;
  return {
    displayName,
    issuerUrl,
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    ...(groupsClaim ? { groupsClaim } : {}),
    groupRoles,
    defaultRole,
    enabled,
    passwordSignInDisabled,
  };
}

/** The client secret from a file, stdin (`-`) or a named variable; never from a flag's value. */
export async function readClientSecret(rt: Runtime, opts: SsoSetOptions): Promise<string | undefined> {
  // Refused before anything is read or sent: a secret typed as a flag lands in shell history and
  // in every process listing, and this message never repeats it.
  if (opts.clientSecret !== undefined)
    throw new CliError(`--client-secret is not accepted: give ${SECRET_FLAGS}`, 1, 'dolly sso set --help');
  if (opts.clientSecretFile !== undefined && opts.clientSecretEnv !== undefined)
    throw new CliError(`give ${SECRET_FLAGS}, not both`);
  if (opts.clientSecretFile !== undefined) {
    let secret: string;
    try {
      secret =
        opts.clientSecretFile === '-'
          ? await readStdin(rt)
          : readFileSync(opts.clientSecretFile, 'utf8').trim();
    } catch {
      throw new CliError(`--client-secret-file: cannot read ${opts.clientSecretFile}`);
    }
    if (!secret)
      throw new CliError(
        `--client-secret-file: ${opts.clientSecretFile === '-' ? 'stdin' : opts.clientSecretFile} is empty`,
      );
    return secret;
  }
  if (opts.clientSecretEnv !== undefined) {
    const secret = rt.env[opts.clientSecretEnv]?.trim();
    if (!secret) throw new CliError(`--client-secret-env: ${opts.clientSecretEnv} is not set`);
    return secret;
  }
  return undefined;
}

const FLAG_OF: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^body\.displayName\b/, () => '--display-name'],
  [/^body\.issuerUrl\b/, () => '--issuer-url'],
  [/^body\.clientId\b/, () => '--client-id'],
  [/^body\.clientSecret\b/, () => SECRET_FLAGS],
  [/^body\.groupsClaim\b/, () => '--groups-claim'],
  [/^body\.groupRoles\.(\d+)/, (m) => `--group-role #${Number(m[1]) + 1}`],
  [/^body\.groupRoles\b/, () => '--group-role'],
  [/^body\.defaultRole\b/, () => '--default-role'],
  [/^body\.enabled\b/, () => '--enable'],
  [/^body\.passwordSignInDisabled\b/, () => '--disable-password-sign-in'],
];

/** The server's field errors with the flag that set the field in front of the field's path. */
export function namingFlags(error: unknown): unknown {
  if (!(error instanceof ApiError) || !error.problem.errors?.length) return error;
  const errors = error.problem.errors.map((e) => {
    for (const [re, flag] of FLAG_OF) {
      const m = e.path.match(re);
      if (m) return { ...e, path: `${flag(m)} (${e.path})` };
    }
    return e;
  });
  return new ApiError(error.status, { ...error.problem, errors });
}

export function ssoText(s: SsoSettings): string {
  const c = s.config;
  const links: [string, string][] = [
    ['Redirect URI', s.redirectUri],
    ['Post-logout URI', s.postLogoutRedirectUri],
    ['Sign-in link', s.signInUrl],
  ];
  if (!c) {
    const i = s.installation;
    return renderFields([
      ['Single sign-on', 'not configured for this tenant'],
      ['Installation', i ? `${i.displayName} (${i.issuerUrl}), set by the operator` : undefined],
      ...links,
    ]);
  }
  return renderFields([
    ['Single sign-on', `${c.displayName} (${c.enabled ? 'on' : 'off'})`],
    ['Issuer', c.issuerUrl],
    ['Client ID', c.clientId],
    ['Client secret', c.clientSecretSet ? 'stored encrypted (never shown)' : 'not set'],
    ['Groups claim', c.groupsClaim],
    ['Group roles', c.groupRoles.map((g) => `${g.group}=${g.role}`).join(', ') || 'none'],
    ['Default role', c.defaultRole ?? 'none (people in no mapped group are refused)'],
    ['Password sign-in', c.passwordSignInDisabled ? 'turned off' : 'allowed'],
    ['Updated', c.updatedAt],
    ...links,
  ]);
}

export function registerSsoCommand(program: Command, rt: Runtime): void {
  const sso = program
    .command('sso')
    .description("The tenant's single sign-on (OIDC) configuration (admins and owners)")
    .addHelpText(
      'after',
      `
The client secret is read from a file (--client-secret-file, '-' for stdin) or from an
environment variable you name (--client-secret-env); it is stored sealed and never shown again.
Saving reads the issuer's discovery document first: a provider that cannot be read is refused.

Examples:
  $ dolly sso get
  $ dolly sso set --display-name "Acme Okta" --issuer-url https://acme.okta.com \\
      --client-id dolly --client-secret-file secret.txt --group-role platform=operator
  $ vault read -field=secret sso/dolly | dolly sso set --client-secret-file -
  $ dolly sso set --disable-password-sign-in
  $ dolly sso delete`,
    );

  sso
    .command('get', { isDefault: true })
    .description('Show the configuration and the addresses to register at the provider')
    .addOption(outputOption())
    .action(
      handle<object>(rt, async (kit) => {
        const settings = await kit.session().api.getSso();
        kit.print(settings, () => ssoText(settings));
        return 0;
      }),
    );

  sso
    .command('set')
    .description('Set up single sign-on, or change the flags given (the rest is kept)')
    .option('--display-name <name>', 'the button: "Sign in with <name>"')
    .option('--issuer-url <url>', "the provider's issuer (https, public unless the operator allows it)")
    .option('--client-id <id>', 'the client registered at the provider')
    .addOption(new Option('--client-secret <secret>').hideHelp())
    .option('--client-secret-file <file>', "file holding the client secret ('-' reads stdin)")
    .option('--client-secret-env <var>', 'environment variable holding the client secret')
    .option('--groups-claim <claim>', 'the ID token claim listing groups (default groups)')
    .option('--group-role <group=role>', 'a group and its role; repeat; replaces the list', collect, [])
    .option('--clear-group-roles', 'map no groups')
    .option('--default-role <role>', `role when no group maps: ${ROLES.join(', ')} or none (refuse)`)
    .option('--enable', 'offer single sign-on (the default)')
    .option('--disable', 'keep the configuration but stop offering it')
    .option('--disable-password-sign-in', "refuse password sign-in for the tenant's members")
    .option('--allow-password-sign-in', 'allow password sign-in again')
    .addOption(outputOption())
    .action(
      handle<SsoSetOptions>(rt, async (kit, opts) => {
        const clientSecret = await readClientSecret(rt, opts);
        const { api } = kit.session();
        const current = (await api.getSso()).config;
        const body = ssoBody(opts, current, clientSecret);
        let settings: SsoSettings;
        try {
          settings = await api.putSso(body);
        } catch (error) {
          throw namingFlags(error);
        }
        kit.print(settings, () => ssoText(settings));
        return 0;
      }),
    );

  sso
    .command('delete')
    .alias('rm')
    .description('Remove single sign-on; password sign-in works again')
    .action(
      handle<object>(rt, async (kit) => {
        await kit.session().api.deleteSso();
        kit.note('Single sign-on removed; password sign-in works again.');
        return 0;
      }),
    );
}
