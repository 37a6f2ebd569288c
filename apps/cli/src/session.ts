import { createDollyApi, type DollyApi } from './api/dolly-api.ts';
import { configPath } from './config/paths.ts';
import { resolveTarget, type Target } from './config/resolve.ts';
import { type LoadedConfig, loadConfig } from './config/store.ts';
import { CliError } from './errors.ts';
import { println, type Runtime } from './runtime.ts';

export interface ConfigHandle {
  file: string;
  loaded: LoadedConfig;
}

let warned = false;

/** The config file, with a one-time warning when others can read the tokens in it. */
export function openConfig(rt: Runtime): ConfigHandle {
  const file = configPath(rt.env);
  const loaded = loadConfig(file);
  if (loaded.insecureMode !== undefined && !warned) {
    warned = true;
    println(
      rt.stderr,
      `warning: ${file} is readable by others (mode ${loaded.insecureMode.toString(8).padStart(4, '0')}); run chmod 600 ${file}`,
    );
  }
  return { file, loaded };
}

export interface Session {
  api: DollyApi;
  target: Target;
  config: ConfigHandle;
}

/** A client for the selected server, refusing early when there is no token to send. */
export function openSession(rt: Runtime, contextName?: string): Session {
  const config = openConfig(rt);
  const target = resolveTarget(rt.env, config.loaded.config, contextName);
  if (!target.token)
    throw new CliError(`no API token for ${target.url}`, 1, 'run dolly login, or set DOLLY_TOKEN');
  return { api: createDollyApi({ baseUrl: target.url, token: target.token }), target, config };
}
