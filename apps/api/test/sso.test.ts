/**
 * OIDC single sign-on as a tenant meets it: an admin configures a real OpenID Provider
 * (oidc-provider, on loopback, allow-listed like the tests' sandbox), people sign in through its
 * login and consent pages, and Dolly creates users and memberships from their groups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, startHarness } from './support/harness.ts';
import { signInAtProvider, startOidcProvider } from './support/oidc-provider.ts';

const PUBLIC_URL = 'https://dolly.example.test';
const CALLBACK = `${PUBLIC_URL}/api/v1/auth/sso/callback`;
const CLIENT_SECRET = 'sso-client-secret-9d2f61';
const tag = Date.now().toString(36).slice(-5);
const accounts = {
  [`ada-${tag}`]: { email: `ada-${tag}@sso.test`, name: 'Ada SSO', groups: ['staff', 'dolly-operators'] },
  [`bob-${tag}`]: { email: `bob-${tag}@sso.test`, name: 'Bob SSO', groups: ['marketing'] },
  [`cy-${tag}`]: { email: `cy-${tag}@sso.test`, name: 'Cy SSO', groups: ['dolly-operators'] },
  [`dee-${tag}`]: { email: `dee-${tag}@sso.test`, name: 'Dee SSO', groups: ['dolly-viewers'] },
};
let provider: Awaited<ReturnType<typeof startOidcProvider>>;
let h: Harness;
let admin: { cookie: string; csrf: string };

async function api<T>(method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  const res = await h.app.inject({
    method,
    url,
    headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T, raw: res.body };
}

const config = (over: Record<string, unknown> = {}) => ({
  displayName: 'Test IdP',
  issuerUrl: provider.issuer,
  clientId: 'dolly',
  clientSecret: CLIENT_SECRET,
  groupsClaim: 'groups',
  groupRoles: [{ group: 'dolly-operators', role: 'operator' }],
  defaultRole: null,
  ...over,
});

/** Starts a sign-in as a browser would: the provider's URL and the state cookie. */
async function start(tenant = 'demo') {
  const res = await h.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${tenant}/start` });
  expect(res.statusCode, res.body).toBe(302);
  const cookie = res.cookies.find((c) => c.name === 'dolly_sso_state');
  return { location: String(res.headers.location), stateCookie: `dolly_sso_state=${cookie?.value}` };
}

async function callback(url: string, stateCookie?: string) {
  const u = new URL(url);
  return h.app.inject({
    method: 'GET',
    url: `${u.pathname}${u.search}`,
    headers: stateCookie ? { cookie: stateCookie } : {},
  });
}

async function signIn(loginName: string) {
  const { location, stateCookie } = await start();
  return callback(await signInAtProvider(location, loginName, CALLBACK), stateCookie);
}

beforeAll(async () => {
  provider = await startOidcProvider({
    clientId: 'dolly',
    clientSecret: CLIENT_SECRET,
    redirectUri: CALLBACK,
    accounts,
  });
  h = await startHarness({ DOLLY_PUBLIC_URL: PUBLIC_URL }, { worker: false });
  admin = await login(h.app, 'admin@demo.dolly');
});

afterAll(async () => {
  // The demo tenant is shared with later suites: passwords must work again after this file.
  await h?.db.ssoConfig.deleteMany({ where: { tenant: { slug: 'demo' } } });
  await h?.close();
  await provider?.close();
});

describe('OIDC single sign-on', () => {
  it('refuses an issuer on a private address that the operator did not allow, naming the field', async () => {
    const res = await api<{ errors: { path: string; message: string }[] }>(
      'PUT',
      '/api/v1/sso',
      config({ issuerUrl: 'https://10.20.30.40/realms/x' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ path: 'body.issuerUrl' });
    expect(res.body.errors[0]?.message).toContain('internal address');
  });

  it('refuses at connect time a stored issuer whose address is internal', async () => {
    // a harness whose operator allows nothing: the row below was saved under another policy
    const strict = await startHarness(
      { DOLLY_PUBLIC_URL: PUBLIC_URL, DOLLY_ENDPOINT_ALLOWLIST: '' },
      { worker: false },
    );
    try {
      const tenant = await strict.db.tenant.findUniqueOrThrow({ where: { slug: 'other' } });
      const sealed = strict.vault.seal(CLIENT_SECRET);
      await strict.db.ssoConfig.create({
        data: {
          tenantId: tenant.id,
          displayName: 'Old row',
          issuerUrl: provider.issuer.replace('http:', 'https:'),
          clientId: 'dolly',
          clientSecretCipher: sealed.cipher,
          clientSecretKeyId: sealed.keyId,
        },
      });
      const res = await strict.app.inject({ method: 'GET', url: '/api/v1/auth/sso/other/start' });
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toContain('refused to connect to 127.0.0.1: it is an internal address');
    } finally {
      await strict.db.ssoConfig.deleteMany({ where: { tenant: { slug: 'other' } } });
      await strict.close();
    }
  });

  it('lets an admin configure it and never returns the client secret', async () => {
    const res = await api<{ config: Record<string, unknown>; redirectUri: string }>(
      'PUT',
      '/api/v1/sso',
      config(),
    );
    expect(res.status, res.raw).toBe(200);
    expect(res.body.redirectUri).toBe(CALLBACK);
    expect(res.body.config).toMatchObject({ displayName: 'Test IdP', clientSecretSet: true });
    const read = await api('GET', '/api/v1/sso');
    expect(read.status).toBe(200);
    expect(`${res.raw}${read.raw}`).not.toContain(CLIENT_SECRET);
    const row = await h.db.ssoConfig.findFirstOrThrow({ where: { tenant: { slug: 'demo' } } });
    expect(Buffer.from(row.clientSecretCipher).toString('utf8')).not.toContain(CLIENT_SECRET);
    // mapping a group to a role above the admin's own is refused with the field
    const above = await api<{ errors: { path: string }[] }>(
      'PUT',
      '/api/v1/sso',
      config({ groupRoles: [{ group: 'x', role: 'owner' }] }),
    );
    expect(above.status).toBe(403);
    expect(above.body.errors[0]?.path).toBe('body.groupRoles.0.role');
    const entry = await h.db.auditEntry.findFirst({
      where: { action: 'sso.update' },
      orderBy: { id: 'desc' },
    });
    expect(entry?.outcome).toBe('denied');
  });

  it('shows the sign-in button of the tenant', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/auth/sso/demo' });
    expect(res.json()).toMatchObject({ displayName: 'Test IdP', startUrl: '/api/v1/auth/sso/demo/start' });
  });

  it('creates the user and membership on first sign-in, with the role their group maps to', async () => {
    const name = `ada-${tag}`;
    const res = await signIn(name);
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(`${PUBLIC_URL}/`);
    const session = res.cookies.find((c) => c.name === 'dolly_session');
    const me = await h.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: `dolly_session=${session?.value}` },
    });
    expect(me.json()).toMatchObject({
      user: { email: `ada-${tag}@sso.test`, name: 'Ada SSO' },
      tenant: { slug: 'demo' },
      role: 'operator',
    });
    const identity = await h.db.userIdentity.findFirstOrThrow({ where: { subject: name } });
    expect(identity.issuer).toBe(provider.issuer);
    const audit = await h.db.auditEntry.findFirstOrThrow({
      where: { action: 'sso.sign_in', actorUserId: identity.userId },
    });
    expect(audit).toMatchObject({ outcome: 'success' });
    // a second sign-in finds the same user through the linked identity
    const again = await signIn(name);
    expect(again.statusCode).toBe(303);
    expect(await h.db.user.count({ where: { email: `ada-${tag}@sso.test` } })).toBe(1);
  });

  it('signs an SSO session out at the provider too, and a password session only in Dolly', async () => {
    const res = await signIn(`ada-${tag}`);
    const cookie = `dolly_session=${res.cookies.find((c) => c.name === 'dolly_session')?.value}`;
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    const out = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': me.json().csrfToken },
    });
    expect(out.statusCode, out.body).toBe(200);
    const url = new URL(out.json().endSessionUrl);
    const metadata = await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json();
    expect(`${url.origin}${url.pathname}`).toBe(metadata.end_session_endpoint);
    expect(url.searchParams.get('client_id')).toBe('dolly');
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${PUBLIC_URL}/`);
    // the provider accepts it: its sign-out confirmation, not an error page
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/logout|sign.?out/i);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode,
    ).toBe(401);
    const password = await login(h.app, 'operator@demo.dolly');
    const plain = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: password.cookie, 'x-csrf-token': password.csrf },
    });
    expect(plain.statusCode).toBe(204);
  });

  it('refuses a person none of whose groups maps, when there is no default role', async () => {
    const res = await signIn(`bob-${tag}`);
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toContain('None of your groups');
    expect(await h.db.user.count({ where: { email: `bob-${tag}@sso.test` } })).toBe(0);
    const audit = await h.db.auditEntry.findFirst({
      where: { action: 'sso.sign_in', outcome: 'denied' },
      orderBy: { id: 'desc' },
    });
    expect(audit?.detail).toMatchObject({ subject: `bob-${tag}`, groups: ['marketing'] });
  });

  it('refuses a callback whose state is not the one this browser started', async () => {
    const first = await start();
    const second = await start();
    const back = await signInAtProvider(first.location, `cy-${tag}`, CALLBACK);
    // the callback of one sign-in arriving with the cookie of another (login CSRF)
    const res = await callback(back, second.stateCookie);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('query.state');
    // and none at all
    expect((await callback(back)).statusCode).toBe(400);
  });

  it('refuses an ID token whose nonce is not the one Dolly sent', async () => {
    const { location, stateCookie } = await start();
    const tampered = new URL(location);
    tampered.searchParams.set('nonce', 'a-nonce-dolly-never-sent');
    const res = await callback(
      await signInAtProvider(tampered.toString(), `cy-${tag}`, CALLBACK),
      stateCookie,
    );
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toMatch(/nonce/);
    expect(res.cookies.find((c) => c.name === 'dolly_session' && c.value)).toBeUndefined();
  });

  it('follows the groups at every later sign-in: promotes, demotes, and removes who no group maps', async () => {
    const dee = `dee-${tag}`;
    const setGroups = (groups: string[]) => {
      const account = accounts[dee];
      if (account) account.groups = groups;
    };
    const mapped = await api(
      'PUT',
      '/api/v1/sso',
      config({
        clientSecret: undefined,
        groupRoles: [
          { group: 'dolly-operators', role: 'operator' },
          { group: 'dolly-admins', role: 'admin' },
          { group: 'dolly-viewers', role: 'viewer' },
        ],
      }),
    );
    expect(mapped.status, mapped.raw).toBe(200);
    const sessionOf = (res: Awaited<ReturnType<typeof signIn>>) => {
      expect(res.statusCode, res.body).toBe(303);
      return `dolly_session=${res.cookies.find((c) => c.name === 'dolly_session')?.value}`;
    };
    const roleOf = async (headers: Record<string, string>) => {
      const me = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
      return me.statusCode === 200 ? (me.json() as { role: string }).role : me.statusCode;
    };
    // admins only: what a session or token can still do, not what /me says
    const settings = async (headers: Record<string, string>) =>
      (await h.app.inject({ method: 'GET', url: '/api/v1/sso', headers })).statusCode;

    const first = { cookie: sessionOf(await signIn(dee)) };
    expect(await roleOf(first)).toBe('viewer');
    expect(await settings(first)).toBe(403);

    setGroups(['dolly-admins', 'staff']);
    const promoted = { cookie: sessionOf(await signIn(dee)) };
    expect(await roleOf(promoted)).toBe('admin');
    // the session opened before follows the membership
    expect(await roleOf(first)).toBe('admin');
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: promoted });
    const minted = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...promoted, 'x-csrf-token': me.json().csrfToken },
      payload: { name: `dee-${tag}`, role: 'admin' },
    });
    expect(minted.statusCode, minted.body).toBe(201);
    const token = { authorization: `Bearer ${minted.json().token}` };
    expect(await settings(token)).toBe(200);

    setGroups(['dolly-operators']);
    const demoted = { cookie: sessionOf(await signIn(dee)) };
    expect(await roleOf(demoted)).toBe('operator');
    expect(await settings(first)).toBe(403);
    expect(await settings(token)).toBe(403);

    // none of the groups maps and there is no default role: refused, and the tenant is lost
    setGroups(['marketing']);
    const refused = await signIn(dee);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toContain('None of your groups');
    const user = await h.db.user.findUniqueOrThrow({ where: { email: `dee-${tag}@sso.test` } });
    const demo = await h.db.tenant.findUniqueOrThrow({ where: { slug: 'demo' } });
    const membership = () =>
      h.db.membership.findUnique({ where: { tenantId_userId: { tenantId: demo.id, userId: user.id } } });
    expect(await membership()).toBeNull();
    for (const session of [first, promoted, demoted]) expect(await roleOf(session)).toBe(401);
    expect(await roleOf(token)).toBe(401);
    const audit = await h.db.auditEntry.findFirst({
      where: { action: 'sso.sign_in', outcome: 'denied' },
      orderBy: { id: 'desc' },
    });
    expect(audit?.detail).toMatchObject({ subject: dee, membershipRemoved: true, formerRole: 'operator' });

    // mapped again: a new membership, but the token revoked with the old one stays revoked
    setGroups(['dolly-viewers']);
    const back = { cookie: sessionOf(await signIn(dee)) };
    expect(await roleOf(back)).toBe('viewer');
    expect(await roleOf(token)).toBe(401);

    // an owner is managed in Dolly: refused by the provider, they keep the membership, but the
    // sessions the provider opened end
    await h.db.membership.update({
      where: { tenantId_userId: { tenantId: demo.id, userId: user.id } },
      data: { role: 'owner' },
    });
    try {
      setGroups([]);
      expect((await signIn(dee)).statusCode).toBe(403);
      expect(await membership()).toMatchObject({ role: 'owner' });
      expect(await roleOf(back)).toBe(401);
    } finally {
      // the demo tenant is shared with later suites: no extra owner left behind
      await h.db.membership.deleteMany({ where: { tenantId: demo.id, userId: user.id } });
    }
  });

  it('refuses password sign-in to the tenant once an admin turns it off', async () => {
    const res = await api(
      'PUT',
      '/api/v1/sso',
      config({ clientSecret: undefined, passwordSignInDisabled: true }),
    );
    expect(res.status, res.raw).toBe(200);
    const pw = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'developer@demo.dolly', password: 'dolly-demo' },
    });
    expect(pw.statusCode).toBe(403);
    expect(pw.headers['content-type']).toContain('application/problem+json');
    expect(pw.json()).toMatchObject({ code: 'sso_required', errors: [{ path: 'body.password' }] });
    // another tenant's members are not affected
    const other = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'owner@other.dolly', password: 'dolly-demo' },
    });
    expect(other.statusCode).toBe(200);
    // SSO still signs people in
    expect((await signIn(`cy-${tag}`)).statusCode).toBe(303);
    // removing SSO gives passwords back
    expect((await api('DELETE', '/api/v1/sso')).status).toBe(204);
    const back = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'developer@demo.dolly', password: 'dolly-demo' },
    });
    expect(back.statusCode).toBe(200);
  });
});
