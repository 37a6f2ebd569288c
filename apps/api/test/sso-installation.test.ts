/**
 * Installation-wide single sign-on (DOLLY_SSO_*): the operator's identity provider serves every
 * tenant it maps that has no sign-in of its own, each group giving a role per tenant.
 */
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { type Harness, startHarness } from './support/harness.ts';
import { signInAtProvider, startOidcProvider } from './support/oidc-provider.ts';

const PUBLIC_URL = 'https://dolly.example.test';
const CALLBACK = `${PUBLIC_URL}/api/v1/auth/sso/callback`;
const CLIENT_SECRET = 'installation-sso-secret-71c2';
const tag = Date.now().toString(36).slice(-5);
const ops = `ops-inst-${tag}`;
const lab = `lab-inst-${tag}`;
/** served by the installation's sign-in (everyone a viewer), and a tenant it does not serve */
const pw = `pw-inst-${tag}`;
const free = `free-inst-${tag}`;
const PASSWORD = 'pat-password-4e1b';
const accounts = {
  [`dee-${tag}`]: { email: `dee-${tag}@inst.test`, name: 'Dee', groups: ['platform'] },
  [`eli-${tag}`]: { email: `eli-${tag}@inst.test`, name: 'Eli', groups: ['marketing'] },
};
let provider: Awaited<ReturnType<typeof startOidcProvider>>;
let h: Harness;

async function signIn(tenant: string, loginName: string, app = h.app) {
  const start = await app.inject({ method: 'GET', url: `/api/v1/auth/sso/${tenant}/start` });
  expect(start.statusCode, start.body).toBe(302);
  const state = start.cookies.find((c) => c.name === 'dolly_sso_state');
  const back = new URL(await signInAtProvider(String(start.headers.location), loginName, CALLBACK));
  const res = await app.inject({
    method: 'GET',
    url: `${back.pathname}${back.search}`,
    headers: { cookie: `dolly_sso_state=${state?.value}` },
  });
  const session = res.cookies.find((c) => c.name === 'dolly_session')?.value;
  return { res, session };
}

async function me(session: string | undefined, app = h.app) {
  const res = await app.inject({
    method: 'GET',
    url: '/api/v1/auth/me',
    headers: { cookie: `dolly_session=${session}` },
  });
  return res.json() as { tenant: { slug: string }; role: string };
}

let installationEnv: Record<string, string>;

beforeAll(async () => {
  provider = await startOidcProvider({
    clientId: 'dolly-installation',
    clientSecret: CLIENT_SECRET,
    redirectUri: CALLBACK,
    accounts,
  });
  installationEnv = {
    DOLLY_PUBLIC_URL: PUBLIC_URL,
    DOLLY_SSO_ISSUER_URL: provider.issuer,
    DOLLY_SSO_CLIENT_ID: 'dolly-installation',
    DOLLY_SSO_CLIENT_SECRET: CLIENT_SECRET,
    DOLLY_SSO_DISPLAY_NAME: 'Company IdP',
    DOLLY_SSO_GROUP_ROLES: `platform=${ops}:operator, *=${lab}:viewer, *=${pw}:viewer`,
  };
  h = await startHarness(installationEnv, { worker: false });
  for (const slug of [ops, lab, pw, free]) await h.db.tenant.create({ data: { slug, name: slug } });
});

afterAll(async () => {
  await h?.db.user.deleteMany({ where: { email: `pat-${tag}@inst.test` } });
  await h?.db.tenant.deleteMany({ where: { slug: { in: [ops, lab, pw, free] } } });
  await h?.close();
  await provider?.close();
});

describe('installation-wide single sign-on', () => {
  it('refuses a mapping it cannot read at start, naming the variable', () => {
    expect(() => loadConfig({ ...process.env, DOLLY_SSO_GROUP_ROLES: 'platform=ops:superuser' })).toThrow(
      /DOLLY_SSO_GROUP_ROLES: "platform=ops:superuser" is not group=tenant:role/,
    );
  });

  it('offers its button on the tenants it maps and only there', async () => {
    const option = await h.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${ops}` });
    expect(option.json()).toMatchObject({ displayName: 'Company IdP', passwordSignInDisabled: false });
    // demo is not in the mapping: the same 404 as an unknown tenant
    const demo = await h.app.inject({ method: 'GET', url: '/api/v1/auth/sso/demo' });
    const unknown = await h.app.inject({ method: 'GET', url: `/api/v1/auth/sso/none-${tag}` });
    expect(demo.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
  });

  it('gives each tenant the role its mapping names for the person’s groups', async () => {
    const dee = await signIn(ops, `dee-${tag}`);
    expect(dee.res.statusCode, dee.res.body).toBe(303);
    expect(await me(dee.session)).toMatchObject({ tenant: { slug: ops }, role: 'operator' });
    // the same person in the lab tenant: everyone (*) is a viewer there
    const deeLab = await signIn(lab, `dee-${tag}`);
    expect(await me(deeLab.session)).toMatchObject({ tenant: { slug: lab }, role: 'viewer' });
    expect(await h.db.user.count({ where: { email: `dee-${tag}@inst.test` } })).toBe(1);
    // Eli's groups map nowhere in ops and there is no * there
    const eli = await signIn(ops, `eli-${tag}`);
    expect(eli.res.statusCode).toBe(403);
    expect(eli.res.json().detail).toContain('None of your groups');
  });

  it('shows admins the installation sign-in that applies, and a tenant’s own configuration wins', async () => {
    const tenant = await h.db.tenant.findUniqueOrThrow({ where: { slug: ops } });
    const dee = await signIn(ops, `dee-${tag}`);
    await h.db.membership.updateMany({
      where: { tenantId: tenant.id, user: { email: `dee-${tag}@inst.test` } },
      data: { role: 'admin' },
    });
    const settings = await h.app.inject({
      method: 'GET',
      url: '/api/v1/sso',
      headers: { cookie: `dolly_session=${dee.session}` },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    expect(settings.json()).toMatchObject({
      config: null,
      installation: {
        displayName: 'Company IdP',
        groupRoles: [{ group: 'platform', role: 'operator' }],
        defaultRole: null,
      },
    });
    // a tenant that turned its own single sign-on off gets neither: the installation does not step in
    const sealed = h.vault.seal('x');
    await h.db.ssoConfig.create({
      data: {
        tenantId: tenant.id,
        displayName: 'Own IdP',
        issuerUrl: provider.issuer,
        clientId: 'own',
        clientSecretCipher: sealed.cipher,
        clientSecretKeyId: sealed.keyId,
        enabled: false,
      },
    });
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${ops}` })).statusCode).toBe(404);
    await h.db.ssoConfig.update({ where: { tenantId: tenant.id }, data: { enabled: true } });
    const own = await h.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${ops}` });
    expect(own.json()).toMatchObject({ displayName: 'Own IdP' });
  });

  it('refuses password sign-in in the tenants it serves when the operator turns passwords off', async () => {
    const tenants = await h.db.tenant.findMany({ where: { slug: { in: [pw, free] } } });
    const idOf = (slug: string) => tenants.find((t) => t.slug === slug)?.id ?? '';
    await h.db.user.create({
      data: {
        email: `pat-${tag}@inst.test`,
        name: 'Pat',
        passwordHash: await hash(PASSWORD),
        memberships: {
          create: [
            { tenantId: idOf(pw), role: 'viewer' },
            { tenantId: idOf(free), role: 'viewer' },
          ],
        },
      },
    });
    const passwordLogin = (app: typeof h.app, tenant: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: `pat-${tag}@inst.test`, password: PASSWORD, tenant },
      });
    const cookieOf = (res: Awaited<ReturnType<typeof passwordLogin>>) =>
      res.cookies.find((c) => c.name === 'dolly_session')?.value;
    // passwords on (the default): a password session opens in the served tenant
    const before = await passwordLogin(h.app, pw);
    expect(before.statusCode, before.body).toBe(200);
    const freeBefore = await passwordLogin(h.app, free);
    expect(freeBefore.statusCode).toBe(200);

    const strict = await startHarness(
      { ...installationEnv, DOLLY_SSO_PASSWORD_SIGN_IN: 'disabled' },
      { worker: false },
    );
    try {
      const option = await strict.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${pw}` });
      expect(option.json()).toMatchObject({ displayName: 'Company IdP', passwordSignInDisabled: true });
      // the password session opened before ends at start; the unserved tenant's stays
      const ended = await strict.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { cookie: `dolly_session=${cookieOf(before)}` },
      });
      expect(ended.statusCode).toBe(401);
      expect(await me(cookieOf(freeBefore), strict.app)).toMatchObject({ tenant: { slug: free } });

      const refused = await passwordLogin(strict.app, pw);
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({
        code: 'sso_required',
        detail: expect.stringContaining('Sign in with Company IdP'),
        errors: [{ path: 'body.password', message: 'password sign-in is turned off for this tenant' }],
      });
      // a tenant the installation does not serve keeps passwords, and its sessions cannot walk in
      const elsewhere = await passwordLogin(strict.app, free);
      expect(elsewhere.statusCode).toBe(200);
      const me2 = elsewhere.json() as { csrfToken: string };
      const walk = await strict.app.inject({
        method: 'POST',
        url: '/api/v1/auth/switch-tenant',
        headers: { cookie: `dolly_session=${cookieOf(elsewhere)}`, 'x-csrf-token': me2.csrfToken },
        payload: { tenant: pw },
      });
      expect(walk.statusCode).toBe(403);
      expect(walk.json()).toMatchObject({ code: 'sso_required', errors: [{ path: 'body.tenant' }] });
      // single sign-on still signs people in
      const sso = await signIn(pw, `dee-${tag}`, strict.app);
      expect(sso.res.statusCode, sso.res.body).toBe(303);
      expect(await me(sso.session, strict.app)).toMatchObject({ tenant: { slug: pw }, role: 'viewer' });

      // a tenant's own single sign-on decides for it, passwords included
      const sealed = strict.vault.seal('x');
      await strict.db.ssoConfig.create({
        data: {
          tenantId: idOf(pw),
          displayName: 'Own IdP',
          issuerUrl: provider.issuer,
          clientId: 'own',
          clientSecretCipher: sealed.cipher,
          clientSecretKeyId: sealed.keyId,
        },
      });
      expect((await passwordLogin(strict.app, pw)).statusCode).toBe(200);
      await strict.db.ssoConfig.deleteMany({ where: { tenantId: idOf(pw) } });
    } finally {
      await strict.close();
    }
    // the way back is the operator's variable: with passwords enabled again they work
    expect((await passwordLogin(h.app, pw)).statusCode).toBe(200);
  });
});
