import { redisUrlSchema } from '@dolly/contracts';
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseGroupRoles } from './modules/sso/installation.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => ['true', '1', 'yes'].includes(v));

/** An address or CIDR block (`10.0.0.0/8`, `::1`), as Fastify's trustProxy list takes them. */
function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
}

const addressList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean),
  )
  .refine((list) => list.every(isAddressOrCidr), 'must be comma-separated IP addresses or CIDR blocks');

/** Every environment variable the API and worker read; .env.example lists the same. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DOLLY_HOST: z.string().default('0.0.0.0'),
  DOLLY_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  DATABASE_URL: z.string().startsWith('postgres', 'must be a postgresql:// URL'),
  REDIS_URL: redisUrlSchema,
  DOLLY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DOLLY_QUEUE_PREFIX: z.string().default('dolly'),
  DOLLY_WEB_DIST: z.string().optional().describe('Folder of the built web app to serve at /'),
  DOLLY_COOKIE_SECURE: bool.default(false),
  DOLLY_SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  DOLLY_LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  DOLLY_TRUST_PROXY: addressList.describe(
    'Reverse proxies whose X-Forwarded-For is believed; empty: the socket address is the client',
  ),
  DOLLY_ENDPOINT_ALLOWLIST: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    )
    .describe(
      'Hosts tenants may point accounts at over plain http or on internal addresses (a sandbox, a LAN cloud)',
    ),
  DOLLY_HOST_IDENTITY_TENANTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .describe("Tenant slugs that may connect accounts using Dolly's own host identity (default chains)"),
  DOLLY_METRICS_TOKEN: z
    .union([z.literal('').transform(() => undefined), z.string().min(16, 'must be at least 16 characters')])
    .optional()
    .describe('Bearer token for /metrics; without it /metrics answers loopback only'),
  DOLLY_PUBLIC_URL: z
    .url()
    .default('http://localhost:8080')
    .describe(
      'The dashboard address people open; run links in notifications and the SSO redirect URI point there',
    ),
  DOLLY_WEBHOOK_BACKOFF_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(10_000)
    .describe('First retry delay of a webhook delivery; each further one doubles it (6 attempts)'),
  DOLLY_SSO_ISSUER_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('Installation-wide OIDC issuer, for tenants without their own single sign-on (docs/sso.md)'),
  DOLLY_SSO_CLIENT_ID: z.string().min(1).optional().describe('Client id at the installation-wide issuer'),
  DOLLY_SSO_CLIENT_SECRET: z
    .string()
    .min(1)
    .optional()
    .describe('Client secret at the installation-wide issuer'),
  DOLLY_SSO_DISPLAY_NAME: z
    .string()
    .min(1)
    .max(60)
    .default('single sign-on')
    .describe('Shown on the sign-in button: "Sign in with <name>"'),
  DOLLY_SSO_GROUPS_CLAIM: z.string().min(1).default('groups').describe('The claim that lists the groups'),
  DOLLY_SSO_GROUP_ROLES: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parseGroupRoles(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .describe('group=tenant:role, comma-separated; group * is everyone the issuer signs in'),
  DOLLY_SSO_PASSWORD_SIGN_IN: z
    .enum(['enabled', 'disabled'])
    .default('enabled')
    .describe(
      'disabled: refuse password sign-in in every tenant the installation-wide sign-in serves (docs/sso.md)',
    ),
});

export type Config = z.infer<typeof configSchema>;

/** Fails at start with every bad variable named, never later at first use. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
