import { expect, test } from '@playwright/test';
import { startOidcProvider } from '../../apps/api/test/support/oidc-provider.ts';
import { openAs, snapshot } from './support.ts';

const baseURL = process.env.DOLLY_E2E_URL ?? 'http://localhost:8080';
const tag = Date.now().toString(36).slice(-5);
const login = `grace-${tag}`;
let provider: Awaited<ReturnType<typeof startOidcProvider>>;

test.beforeAll(async () => {
  // a real OpenID Provider on loopback, which the e2e stack allows (DOLLY_ENDPOINT_ALLOWLIST)
  provider = await startOidcProvider({
    clientId: 'dolly-e2e',
    clientSecret: 'e2e-client-secret',
    redirectUri: `${baseURL}/api/v1/auth/sso/callback`,
    accounts: { [login]: { email: `${login}@sso.test`, name: 'Grace SSO', groups: ['dolly-developers'] } },
  });
});
test.afterAll(async () => {
  await provider?.close();
});

test('an admin sets up single sign-on and a new person signs in with it onto the dashboard', async ({
  page,
  browser,
}) => {
  await openAs(page, 'admin@demo.dolly', '/settings/sso');
  await expect(page.getByRole('heading', { name: 'Single sign-on', exact: true })).toBeVisible();
  await page.getByLabel('Button name').fill('Test IdP');
  await page.getByLabel('Issuer URL').fill(provider.issuer);
  await page.getByLabel('Client ID').fill('dolly-e2e');
  await page.getByLabel('Client secret').fill('e2e-client-secret');
  await page.getByLabel('Group → role').fill('dolly-developers = developer');
  await page.getByRole('button', { name: 'Save single sign-on' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByLabel('Client secret')).toHaveValue('');
  await snapshot(page, 'settings-sso');

  const person = await (await browser.newContext({ baseURL })).newPage();
  await person.goto('/?tenant=demo');
  await person.getByRole('link', { name: 'Sign in with Test IdP' }).click();
  // the provider's own login and consent pages
  await person.locator('input[name="login"]').fill(login);
  await person.locator('input[name="password"]').fill('anything');
  await person.getByRole('button', { name: 'Sign-in' }).click();
  await person.getByRole('button', { name: 'Continue' }).click();
  await expect(person.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(person.getByText(`${login}@sso.test`)).toBeVisible();
  // signing out of Dolly ends the provider's session too, and the provider sends the person back
  await person.getByRole('button', { name: 'Sign out' }).click();
  await person.waitForURL((url) => url.href.startsWith(provider.issuer));
  await person.getByRole('button', { name: /yes, sign me out/i }).click();
  await person.waitForURL((url) => url.href.startsWith(baseURL));
  await expect(person.getByRole('heading', { name: 'Sign in to Dolly' })).toBeVisible();
  await person.context().close();

  // leave the shared demo tenant as it was
  await page.reload();
  await page.getByRole('button', { name: 'Remove single sign-on' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('button', { name: 'Remove single sign-on' })).toHaveCount(0);
});
