import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import YAML from 'yaml';
import { CliError } from '../errors.ts';

/** One server and tenant the CLI can talk to, with the API token that opens it. */
export interface DollyContext {
  name: string;
  url: string;
  token: string;
  tenant?: string;
  user?: string;
  role?: string;
}

export interface DollyConfig {
  currentContext?: string;
  contexts: DollyContext[];
}

const FILE_MODE = 0o600;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function parseContext(value: unknown, file: string, index: number): DollyContext {
  if (value === null || typeof value !== 'object')
    throw new CliError(`${file}: contexts[${index}]: expected a mapping`);
  const v = value as Record<string, unknown>;
  const name = str(v.name);
  const url = str(v.url);
  const token = str(v.token);
  for (const [field, got] of [
    ['name', name],
    ['url', url],
    ['token', token],
  ] as const)
    if (!got) throw new CliError(`${file}: contexts[${index}].${field}: required`);
  const ctx: DollyContext = { name: name!, url: url!, token: token! };
  const tenant = str(v.tenant);
  const user = str(v.user);
  const role = str(v.role);
  if (tenant) ctx.tenant = tenant;
  if (user) ctx.user = user;
  if (role) ctx.role = role;
  return ctx;
}

export function parseConfig(text: string, file: string): DollyConfig {
  let value: unknown;
  try {
    value = YAML.parse(text);
  } catch (e) {
    throw new CliError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  if (value === null || value === undefined) return { contexts: [] };
  if (typeof value !== 'object' || Array.isArray(value)) throw new CliError(`${file}: expected a mapping`);
  const v = value as Record<string, unknown>;
  const contexts = v.contexts ?? [];
  if (!Array.isArray(contexts)) throw new CliError(`${file}: contexts: expected a list`);
  const config: DollyConfig = { contexts: contexts.map((c, i) => parseContext(c, file, i)) };
  const current = str(v.currentContext);
  if (current) config.currentContext = current;
  return config;
}

export interface LoadedConfig {
  config: DollyConfig;
  /** Set when the file can be read by others: it holds API tokens. */
  insecureMode?: number;
}

/** Reads the config file; a missing file is an empty config. */
export function loadConfig(file: string): LoadedConfig {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(file, 'utf8');
    mode = statSync(file).mode & 0o777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { config: { contexts: [] } };
    throw new CliError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const loaded: LoadedConfig = { config: parseConfig(text, file) };
  if (mode & 0o077) loaded.insecureMode = mode;
  return loaded;
}

/**
 * Writes the file readable by its owner only (tokens are bearer secrets). A temporary file created
 * 0600 then renamed, so there is never a moment where the tokens sit in a wider-mode file, and an
 * interrupted write leaves the old file intact.
 */
export function saveConfig(file: string, config: DollyConfig): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const body: Record<string, unknown> = {};
  if (config.currentContext) body.currentContext = config.currentContext;
  body.contexts = config.contexts;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, YAML.stringify(body), { mode: FILE_MODE });
  chmodSync(tmp, FILE_MODE);
  renameSync(tmp, file);
}

/** Adds or replaces a context by name and makes it current. */
export function upsertContext(config: DollyConfig, ctx: DollyContext): DollyConfig {
  const contexts = config.contexts.filter((c) => c.name !== ctx.name);
  contexts.push(ctx);
  contexts.sort((a, b) => a.name.localeCompare(b.name));
  return { contexts, currentContext: ctx.name };
}

export function findContext(config: DollyConfig, name: string): DollyContext {
  const ctx = config.contexts.find((c) => c.name === name);
  if (!ctx) {
    const known = config.contexts.map((c) => c.name);
    throw new CliError(
      `no context "${name}"`,
      1,
      known.length ? `known contexts: ${known.join(', ')}` : 'run dolly login first',
    );
  }
  return ctx;
}

export function removeContext(config: DollyConfig, name: string): DollyConfig {
  findContext(config, name);
  const contexts = config.contexts.filter((c) => c.name !== name);
  const next: DollyConfig = { contexts };
  // Deleting the current context leaves none current rather than silently picking another server.
  if (config.currentContext && config.currentContext !== name) next.currentContext = config.currentContext;
  return next;
}
