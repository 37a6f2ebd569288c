import { expect, type Page, test } from '@playwright/test';
import { type ClusterRow, openAs, snapshot, syncInventory } from './support.ts';

let inventory: ClusterRow[] = [];

test.beforeAll(async () => {
  inventory = await syncInventory();
});

async function chooseTargetAccount(page: Page, name: string) {
  const select = page.getByLabel('Target account');
  const value = await select.locator('option', { hasText: name }).first().getAttribute('value');
  if (!value) throw new Error(`no target account ${name}`);
  await select.selectOption(value);
}

test('an operator clones GKE prod into AWS dev with the shop namespace; the run page shows both children succeed', async ({
  page,
}) => {
  const source = inventory.find(
    (x) => x.cloud === 'gcp' && x.name === 'shop-prod' && x.scope === 'dolly-demo-prod',
  );
  if (!source) throw new Error('shop-prod in dolly-demo-prod is not in the inventory');
  const suffix = `-wl${Date.now().toString(36).slice(-4)}`;
  await openAs(page, 'operator@demo.dolly', `/clone?source=${source.id}`);
  await expect(page.getByText('1 source cluster: shop-prod')).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();

  await chooseTargetAccount(page, 'Sandbox AWS');
  await page.getByRole('radio', { name: 'dev', exact: true }).check();
  await page.getByRole('button', { name: 'Next' }).click();

  // Workloads: the namespaces of the source, migrated into the clone once it exists.
  await expect(page.getByRole('heading', { name: 'Workloads' })).toBeVisible();
  await page.getByLabel('Also migrate namespaces into the clone').check();
  await expect(page.getByLabel(/^Namespaces/)).toHaveValue('shop');
  await page.getByRole('checkbox', { name: 'Include Secrets' }).check();
  await page.getByRole('checkbox', { name: /Copy volumes/ }).check();
  await snapshot(page, 'clone-workloads');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByLabel('Name suffix').fill(suffix);
  await page.getByRole('button', { name: 'Make the plan' }).click();
  await expect(page).toHaveURL(/plan=[0-9a-f-]{36}/);
  await page.getByRole('button', { name: 'Continue to confirm' }).click();
  await expect(page.getByText(/Then migrate/)).toContainText('shop');
  await page.getByRole('button', { name: 'Clone with workloads' }).click();

  // One run: its children, linked, each to success.
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const children = page.getByRole('table', { name: 'Child runs' });
  await expect(children.locator('tr[data-step="clone"] [data-status="succeeded"]')).toBeVisible({
    timeout: 120_000,
  });
  await expect(children.locator('tr[data-step="migrate"] [data-status="succeeded"]')).toBeVisible({
    timeout: 120_000,
  });
  await expect(page.locator('#run-heading [data-status="succeeded"]')).toBeVisible({ timeout: 30_000 });
  for (const key of ['policy-check', 'clone', 'migrate'])
    await expect(page.locator(`li[data-step="${key}"]`)).toHaveAttribute('data-step-status', 'succeeded');
  await snapshot(page, 'run-clone-workloads');

  // A child links to its own run page.
  await children.locator('tr[data-step="migrate"] a').click();
  await expect(page.getByRole('heading', { name: /Migrate shop from shop-prod/ })).toBeVisible();
  await expect(page.locator('#run-heading [data-status="succeeded"]')).toBeVisible();
});
