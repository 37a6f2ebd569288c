import { CliError } from '../errors.ts';
import { type DollyConfig, type DollyContext, findContext } from './store.ts';

/** Where requests go and with which token, and why (for `dolly context` and error hints). */
export interface Target {
  url: string;
  token?: string;
  context?: DollyContext;
  urlFrom: 'DOLLY_URL' | 'context';
  tokenFrom?: 'DOLLY_TOKEN' | 'context';
}

export const normaliseUrl = (url: string): string => url.trim().replace(/\/+$/, '');

/**
 * DOLLY_URL and DOLLY_TOKEN win over the config file. A stored token is only ever sent to the URL
 * it was stored for: with DOLLY_URL pointing elsewhere and no DOLLY_TOKEN, the context whose URL
 * matches is used, or none, so a token never leaks to another server.
 */
export function resolveTarget(env: NodeJS.ProcessEnv, config: DollyConfig, contextName?: string): Target {
  const wanted = contextName ?? (env.DOLLY_CONTEXT || undefined) ?? config.currentContext;
  const selected = wanted ? findContext(config, wanted) : undefined;
  const envUrl = env.DOLLY_URL ? normaliseUrl(env.DOLLY_URL) : undefined;
  const envToken = env.DOLLY_TOKEN || undefined;
  if (envUrl) {
    const context =
      selected && normaliseUrl(selected.url) === envUrl
        ? selected
        : config.contexts.find((c) => normaliseUrl(c.url) === envUrl);
    const token = envToken ?? context?.token;
    return {
      url: envUrl,
      urlFrom: 'DOLLY_URL',
      ...(token ? { token, tokenFrom: envToken ? ('DOLLY_TOKEN' as const) : ('context' as const) } : {}),
      ...(context ? { context } : {}),
    };
  }
  if (!selected)
    throw new CliError(
      'not logged in',
      1,
      'run dolly login --url URL --token TOKEN, or set DOLLY_URL and DOLLY_TOKEN',
    );
  return {
    url: normaliseUrl(selected.url),
    token: envToken ?? selected.token,
    tokenFrom: envToken ? 'DOLLY_TOKEN' : 'context',
    context: selected,
    urlFrom: 'context',
  };
}
