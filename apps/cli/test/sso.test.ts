/**
 * `dolly sso` against the real API and a real OpenID Provider (oidc-provider on loopback): an
 * admin sets single sign-on up from the CLI with the secret in a file, on stdin or in a variable,
 * and a person then signs in with it. The secret never appears in anything the CLI prints.
 */
import { rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../../api/test/support/harness.ts';
import { signInAtProvider, startOidcProvider } from '../../api/test/support/oidc-provider.ts';
import { createToken, type DollyOptions, runDolly } from './support/stack.ts';

const PUBLIC_URL = 'https://dolly.example.test';
const CALLBACK = `${PUBLIC_URL}/api/v1/auth/sso/callback`;
const SECRET = 'cli-sso-secret-5e8a13';
const tag = Date.now().toString(36).slice(-5);
const person = `cli-ada-${tag}`;

let h: Harness;
let provider: Awaited<ReturnType<typeof startOidcProvider>>;
let url = '';
let dir = '';
const tokens: Record<'admin' | 'developer', string> = { admin: '', developer: '' };

/** The CLI as a process, as the admin unless told otherwise. */
function dolly(args: string[], o: DollyOptions & { as?: 'admin' | 'developer' } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DOLLY_URL', 'DOLLY_TOKEN', 'DOLLY_CONTEXT', 'XDG_CONFIG_HOME', 'FORCE_COLOR'])
    delete env[k];
  Object.assign(env, {
    NO_COLOR: '1',
    DOLLY_URL: url,
    DOLLY_TOKEN: tokens[o.as ?? 'admin'],
    DOLLY_CONFIG: join(dir, 'config.yaml'),
    ...o.env,
  });
  return runDolly(args, env, o);
}

const storedSecret = async () => {
  const row = await h.db.ssoConfig.findFirstOrThrow({ where: { tenant: { slug: 'demo' } } });
  return h.vault.open<string>({ cipher: row.clientSecretCipher, keyId: row.clientSecretKeyId });
};

beforeAll(async () => {
  provider = await startOidcProvider({
    clientId: 'dolly-cli',
    clientSecret: SECRET,
    redirectUri: CALLBACK,
    accounts: { [person]: { email: `${person}@sso.test`, name: 'Ada CLI', groups: ['platform'] } },
  });
  h = await startHarness({ DOLLY_PUBLIC_URL: PUBLIC_URL }, { worker: false });
  url = (await h.app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  await h.db.ssoConfig.deleteMany({ where: { tenant: { slug: 'demo' } } });
  tokens.admin = await createToken(h, 'admin@demo.dolly', 'admin');
  tokens.developer = await createToken(h, 'developer@demo.dolly', 'developer');
  dir = mkdtempSync(join(tmpdir(), 'dolly-cli-sso-'));
}, 120_000);

afterAll(async () => {
  // The demo tenant is shared with later suites: passwords must work again after this file.
  await h?.db.ssoConfig.deleteMany({ where: { tenant: { slug: 'demo' } } });
  await h?.close();
  await provider?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dolly sso', () => {
  it('shows an unconfigured tenant with the addresses to register at the provider', async () => {
    const r = await dolly(['sso', 'get', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ config: null, redirectUri: CALLBACK });
    const table = await dolly(['sso', 'get', '-o', 'table']);
    expect(table.stdout).toContain('not configured for this tenant');
    expect(table.stdout).toContain(CALLBACK);
  });

  it('never takes the secret as a flag value, and never repeats it', async () => {
    for (const args of [['--client-secret', SECRET], [`--client-secret=${SECRET}`]]) {
      const r = await dolly(['sso', 'set', '--display-name', 'Test IdP', ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--client-secret is not accepted');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
    expect(await h.db.ssoConfig.count({ where: { tenant: { slug: 'demo' } } })).toBe(0);
  });

  it('names the flags a first setup still needs', async () => {
    const r = await dolly(['sso', 'set', '--display-name', 'Test IdP', '--issuer-url', provider.issuer]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('give --client-id, --client-secret-file or --client-secret-env');
    const noSecret = await dolly([
      'sso',
      'set',
      '--display-name',
      'x',
      '--issuer-url',
      provider.issuer,
      '--client-id',
      'dolly-cli',
    ]);
    expect(noSecret.stderr).toContain('give --client-secret-file or --client-secret-env');
    const emptyStdin = await dolly(['sso', 'set', '--client-secret-file', '-'], { stdin: '\n' });
    expect(emptyStdin.stderr).toContain('--client-secret-file: stdin is empty');
    const unset = await dolly(['sso', 'set', '--client-secret-env', 'DOLLY_TEST_NO_SUCH_VAR']);
    expect(unset.stderr).toContain('--client-secret-env: DOLLY_TEST_NO_SUCH_VAR is not set');
  });

  it("names the flag of a field the server refuses: an issuer Dolly may not call, a role above the admin's", async () => {
    const base = ['sso', 'set', '--display-name', 'Test IdP', '--client-id', 'dolly-cli'];
    const privateIssuer = await dolly(
      [...base, '--issuer-url', 'https://10.20.30.40/realms/x', '--client-secret-file', '-'],
      { stdin: SECRET },
    );
    expect(privateIssuer.code).toBe(1);
    expect(privateIssuer.stderr).toContain('--issuer-url (body.issuerUrl)');
    const owners = await dolly(
      [
        ...base,
        '--issuer-url',
        provider.issuer,
        '--client-secret-file',
        '-',
        '--group-role',
        'platform=owner',
      ],
      { stdin: SECRET },
    );
    expect(owners.code).toBe(1);
    expect(owners.stderr).toContain('--group-role #1 (body.groupRoles.0.role)');
    const json = await dolly(
      [...base, '--issuer-url', 'https://10.20.30.40/x', '--client-secret-file', '-', '-o', 'json'],
      {
        stdin: SECRET,
      },
    );
    expect(JSON.parse(json.stderr).error.errors[0].path).toBe('--issuer-url (body.issuerUrl)');
    for (const r of [privateIssuer, owners, json]) expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('sets it up with the secret from stdin, and a person signs in with it', async () => {
    const r = await dolly(
      [
        'sso',
        'set',
        '--display-name',
        'Test IdP',
        '--issuer-url',
        provider.issuer,
        '--client-id',
        'dolly-cli',
        '--client-secret-file',
        '-',
        '--group-role',
        'platform=operator',
        '-o',
        'json',
      ],
      { stdin: `${SECRET}\n` },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(JSON.parse(r.stdout).config).toMatchObject({
      displayName: 'Test IdP',
      issuerUrl: provider.issuer,
      clientId: 'dolly-cli',
      clientSecretSet: true,
      groupRoles: [{ group: 'platform', role: 'operator' }],
      defaultRole: null,
      enabled: true,
      passwordSignInDisabled: false,
    });
    expect(await storedSecret()).toBe(SECRET);

    // the provider checks the secret at its token endpoint: the sign-in proves the CLI sent it right
    const start = await h.app.inject({ method: 'GET', url: '/api/v1/auth/sso/demo/start' });
    expect(start.statusCode, start.body).toBe(302);
    const state = start.cookies.find((c) => c.name === 'dolly_sso_state');
    const back = new URL(await signInAtProvider(String(start.headers.location), person, CALLBACK));
    const done = await h.app.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { cookie: `dolly_sso_state=${state?.value}` },
    });
    expect(done.statusCode, done.body).toBe(303);
    const member = await h.db.membership.findFirstOrThrow({
      where: { tenant: { slug: 'demo' }, user: { email: `${person}@sso.test` } },
    });
    expect(member.role).toBe('operator');
  });

  it('changes only the flags given and keeps the stored secret', async () => {
    const r = await dolly([
      'sso',
      'set',
      '--disable-password-sign-in',
      '--default-role',
      'viewer',
      '-o',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).config).toMatchObject({
      displayName: 'Test IdP',
      groupRoles: [{ group: 'platform', role: 'operator' }],
      defaultRole: 'viewer',
      passwordSignInDisabled: true,
    });
    expect(await storedSecret()).toBe(SECRET);
    const table = await dolly(['sso', 'get', '-o', 'table']);
    expect(table.stdout).toMatch(/Password sign-in:\s+turned off/);
    expect(table.stdout).toMatch(/Group roles:\s+platform=operator/);
    expect(table.stdout).not.toContain(SECRET);
  });

  it('replaces the secret from a file or from a named variable', async () => {
    const file = join(dir, 'secret.txt');
    writeFileSync(file, `${SECRET}-file\n`, { mode: 0o600 });
    const fromFile = await dolly(['sso', 'set', '--client-secret-file', file]);
    // the provider knows only the original secret: the issuer is read, the secret is not checked
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout + fromFile.stderr).not.toContain(SECRET);
    expect(await storedSecret()).toBe(`${SECRET}-file`);
    const fromEnv = await dolly(['sso', 'set', '--client-secret-env', 'IDP_SECRET'], {
      env: { IDP_SECRET: SECRET },
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout + fromEnv.stderr).not.toContain(SECRET);
    expect(await storedSecret()).toBe(SECRET);
  });

  it('is refused to a developer', async () => {
    const r = await dolly(['sso', 'get'], { as: 'developer' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('403');
  });

  it('removes it: passwords work again, and a second delete says there is nothing', async () => {
    const r = await dolly(['sso', 'delete']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('password sign-in works again');
    expect(JSON.parse((await dolly(['sso', 'get', '-o', 'json'])).stdout).config).toBeNull();
    const again = await dolly(['sso', 'delete']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('404');
    const password = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'developer@demo.dolly', password: 'dolly-demo' },
    });
    expect(password.statusCode).toBe(200);
  });
});
