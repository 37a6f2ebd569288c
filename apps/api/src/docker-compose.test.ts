import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from './config.ts';

/**
 * docs/security.md promises that the self-hosted install seals credentials with a key the operator
 * chose (no development key, no silent default) and sends `Secure` cookies. Both live in
 * docker-compose.yml, so this reads it as Compose would: merge keys, then `${VAR:-default}` and
 * `${VAR:?error}` interpolation against the operator's environment.
 */
interface Service {
  environment?: Record<string, string | number | boolean>;
}
const compose = parse(readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8'), {
  merge: true,
}) as { services: Record<string, Service> };

function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}/g,
    (_, name: string, op?: string, arg?: string) => {
      const set = env[name];
      if (op === ':?' && !set) throw new Error(`${name}: ${arg}`);
      if (op === ':-' && !set) return arg ?? '';
      return set ?? '';
    },
  );
}

function environmentOf(service: string, env: Record<string, string>): Record<string, string> {
  const raw = compose.services[service]?.environment;
  if (!raw) throw new Error(`docker-compose.yml: service ${service} has no environment`);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), env)]));
}

const key = 'k1:ZG9sbHktY29tcG9zZS10ZXN0LWtleS0zMi1ieXRlcyE=';

describe.each(['api', 'worker', 'seed'])('docker-compose.yml service %s', (service) => {
  it('refuses to start without DOLLY_SECRET_KEYS, and passes the operator’s keys through', () => {
    expect(() => environmentOf(service, {})).toThrow(/DOLLY_SECRET_KEYS/);
    const env = environmentOf(service, { DOLLY_SECRET_KEYS: key });
    expect(env.DOLLY_SECRET_KEYS).toBe(key);
    expect(env.NODE_ENV).toBe('production');
  });

  it('sets secure cookies unless the operator turns them off', () => {
    expect(environmentOf(service, { DOLLY_SECRET_KEYS: key }).DOLLY_COOKIE_SECURE).toBe('true');
  });

  it('lets tenants reach no internal host unless the operator lists it (the demo lists its sandbox)', () => {
    expect(environmentOf(service, { DOLLY_SECRET_KEYS: key }).DOLLY_ENDPOINT_ALLOWLIST).toBe('');
    expect(
      environmentOf(service, { DOLLY_SECRET_KEYS: key, DOLLY_ENDPOINT_ALLOWLIST: 'sandbox' })
        .DOLLY_ENDPOINT_ALLOWLIST,
    ).toBe('sandbox');
  });
});

describe('the API as docker-compose configures it', () => {
  it('reads secure cookies and production mode from the compose environment', () => {
    const config = loadConfig(environmentOf('api', { DOLLY_SECRET_KEYS: key }));
    expect(config.DOLLY_COOKIE_SECURE).toBe(true);
    expect(config.NODE_ENV).toBe('production');
  });
});
