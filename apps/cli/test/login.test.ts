import { readFileSync, statSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, startCliStack } from './support/stack.ts';

let s: CliStack;
beforeAll(async () => {
  s = await startCliStack();
});
afterAll(async () => {
  await s?.close();
});

/** No DOLLY_URL / DOLLY_TOKEN: only what `dolly login` stored in this config file is used. */
const stored = (file: string) => ({
  env: { DOLLY_URL: undefined, DOLLY_TOKEN: undefined, DOLLY_CONFIG: file },
});

describe('dolly login', () => {
  it('stores a verified token in a 0600 config file and uses it afterwards', async () => {
    const config = join(s.dir, 'login', 'config.yaml');
    const r = await s.dolly(['login', s.url, '--token-stdin'], {
      ...stored(config),
      stdin: `${s.tokens.developer}\n`,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      user: 'developer@demo.dolly',
      tenant: 'demo',
      role: 'developer',
    });
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const file = YAML.parse(readFileSync(config, 'utf8'));
    const name = `demo@${new URL(s.url).host}`;
    expect(file).toMatchObject({
      currentContext: name,
      contexts: [{ name, url: s.url, token: s.tokens.developer }],
    });

    const me = await s.dollyJson<{ user: { email: string }; role: string; context: string }>(
      ['whoami'],
      stored(config),
    );
    expect(me).toMatchObject({ user: { email: 'developer@demo.dolly' }, role: 'developer', context: name });
  });

  it('keeps several contexts and switches between them', async () => {
    const config = join(s.dir, 'contexts', 'config.yaml');
    for (const [role, name] of [
      ['developer', 'dev'],
      ['operator', 'ops'],
    ] as const) {
      const r = await s.dolly(
        ['login', '--url', s.url, '--token', s.tokens[role], '--name', name],
        stored(config),
      );
      expect(r.code, r.stderr).toBe(0);
    }
    const list = await s.dollyJson<{ currentContext: string; contexts: { name: string; token: string }[] }>(
      ['context', 'list'],
      stored(config),
    );
    expect(list.currentContext).toBe('ops');
    expect(list.contexts.map((c) => c.name)).toEqual(['dev', 'ops']);
    // Tokens are never printed whole.
    expect(JSON.stringify(list)).not.toContain(s.tokens.developer);

    expect((await s.dolly(['context', 'use', 'dev'], stored(config))).code).toBe(0);
    expect((await s.dollyJson<{ role: string }>(['whoami'], stored(config))).role).toBe('developer');
    expect((await s.dollyJson<{ role: string }>(['--context', 'ops', 'whoami'], stored(config))).role).toBe(
      'operator',
    );

    const missing = await s.dolly(['context', 'use', 'nope'], stored(config));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no context "nope"/);
    expect(missing.stderr).toMatch(/known contexts: dev, ops/);

    expect((await s.dolly(['context', 'delete', 'ops'], stored(config))).code).toBe(0);
    const after = await s.dollyJson<{ contexts: { name: string }[] }>(['context', 'list'], stored(config));
    expect(after.contexts.map((c) => c.name)).toEqual(['dev']);
  });

  it('lets DOLLY_URL and DOLLY_TOKEN override the config file', async () => {
    const config = join(s.dir, 'override', 'config.yaml');
    await s.dolly(['login', s.url, '--token', s.tokens.developer], stored(config));
    const r = await s.dollyJson<{ role: string }>(['whoami'], {
      env: { DOLLY_CONFIG: config, DOLLY_URL: s.url, DOLLY_TOKEN: s.tokens.operator },
    });
    expect(r.role).toBe('operator');
  });

  it('refuses an unknown token with the server problem and stores nothing', async () => {
    const config = join(s.dir, 'bad', 'config.yaml');
    const r = await s.dolly(['login', s.url, '--token', 'dolly_not-a-real-token'], stored(config));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error: Sign in or send an API token \(401 unauthenticated\)/);
    expect(r.stderr).toMatch(/The API token is unknown, revoked or expired/);
    expect(() => statSync(config)).toThrow();
  });

  it('signs in with email and password by creating a token for the CLI', async () => {
    const config = join(s.dir, 'email', 'config.yaml');
    const r = await s.dolly(['login', s.url, '--email', 'operator@demo.dolly', '--password-stdin'], {
      ...stored(config),
      stdin: 'dolly-demo\n',
    });
    expect(r.code, r.stderr).toBe(0);
    const token = YAML.parse(readFileSync(config, 'utf8')).contexts[0].token as string;
    expect(token).toMatch(/^dolly_/);
    const tokens = await s.dollyJson<{ name: string; role: string }[]>(['tokens', 'list'], {
      env: { DOLLY_TOKEN: token },
    });
    expect(tokens.some((t) => t.name.startsWith('dolly-cli ') && t.role === 'operator')).toBe(true);
  });

  it('says how to log in when nothing is configured', async () => {
    const r = await s.dolly(['clusters', 'list'], stored(join(s.dir, 'empty', 'config.yaml')));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: not logged in/);
    expect(r.stderr).toMatch(/dolly login/);
  });

  it('names the server it cannot reach', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const r = await s.dolly(['clusters', 'list'], { env: { DOLLY_URL: `http://127.0.0.1:${port}` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });
});

describe('dolly tokens', () => {
  it('creates a token shown once, lists it and revokes it', async () => {
    const created = await s.dollyJson<{ id: string; token: string; role: string }>([
      'tokens',
      'create',
      'ci-pipeline',
      '--role',
      'developer',
      '--expires-in-days',
      '30',
    ]);
    expect(created.token).toMatch(/^dolly_/);
    expect(
      (await s.dollyJson<{ role: string }>(['whoami'], { env: { DOLLY_TOKEN: created.token } })).role,
    ).toBe('developer');
    const list = await s.dollyJson<{ id: string; revokedAt: string | null }[]>(['tokens', 'list']);
    expect(list.find((t) => t.id === created.id)?.revokedAt).toBeNull();
    expect((await s.dolly(['tokens', 'revoke', created.id])).code).toBe(0);
    const after = await s.dolly(['whoami'], { env: { DOLLY_TOKEN: created.token } });
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/revoked/);
  });

  it('refuses a role above your own, with the reason', async () => {
    const r = await s.dolly(['tokens', 'create', 'too-much', '--role', 'admin']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/403 forbidden/);
  });
});
