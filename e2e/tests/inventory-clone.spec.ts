import { expect, type Page, test } from '@playwright/test';
import { type ClusterRow, openAs, signIn, snapshot, syncInventory } from './support.ts';

let inventory: ClusterRow[] = [];

test.beforeAll(async () => {
  inventory = await syncInventory();
});

const gkeShopProd = () => {
  const c = inventory.find(
    (x) => x.cloud === 'gcp' && x.name === 'shop-prod' && x.scope === 'dolly-demo-prod',
  );
  if (!c)
    throw new Error(`shop-prod in dolly-demo-prod is not in the inventory: ${inventory.map((x) => x.name)}`);
  return c;
};

/** Picks the target account whose name starts with `name` (the label also names the cloud). */
async function chooseTargetAccount(page: Page, name: string) {
  const select = page.getByLabel('Target account');
  const value = await select.locator('option', { hasText: name }).first().getAttribute('value');
  if (!value) throw new Error(`no target account ${name}`);
  await select.selectOption(value);
}

test('a developer clones the prod GKE cluster into the dev AWS account and watches it succeed', async ({
  page,
}) => {
  await signIn(page, 'developer@demo.dolly');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inventory' }).click();
  await expect(page.getByRole('heading', { name: 'Inventory' })).toBeVisible();

  // Filters go to the URL.
  await page.getByLabel('Cloud', { exact: true }).selectOption('gcp');
  await page.getByLabel('Search', { exact: true }).fill('shop-prod');
  await expect(page).toHaveURL(/cloud=gcp/);
  await expect(page).toHaveURL(/q=shop-prod/);
  const row = page.locator('tr[data-cluster="shop-prod"]');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('dolly-demo-prod');
  await expect(row).toContainText('prod');
  await snapshot(page, 'inventory');

  await row.getByRole('link', { name: 'shop-prod' }).click();
  await expect(page.getByRole('heading', { name: /shop-prod/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Node pools' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Kubeconfig' })).toBeDisabled();
  await expect(page.getByText('Developers cannot download kubeconfigs.')).toBeVisible();
  await snapshot(page, 'cluster-detail');

  // The wizard starts with this cluster as the source.
  await page.getByRole('button', { name: 'Clone…' }).click();
  await expect(page.getByRole('heading', { name: 'Clone clusters' })).toBeVisible();
  await expect(page.getByText('1 source cluster: shop-prod')).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();

  await chooseTargetAccount(page, 'Sandbox AWS');
  await expect(page.getByRole('radio', { name: 'prod', exact: true })).toBeDisabled();
  await expect(page.getByText('Developers cannot clone into prod.')).toBeVisible();
  await page.getByRole('radio', { name: 'dev', exact: true }).check();
  // The plan suggests the location and says why.
  await expect(page.getByTestId('suggested-location')).toHaveText(/^us-/);
  await expect(page.getByLabel('Suggested locations')).toContainText(/nearest EKS region/i);
  await snapshot(page, 'clone-target');
  await page.getByRole('button', { name: 'Next' }).click();
  // Workloads are optional: a plain clone goes on without them.
  await expect(page.getByLabel('Also migrate namespaces into the clone')).not.toBeChecked();
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByLabel('Name suffix').fill('-e2e');
  await expect(page.getByText('New names: shop-prod-e2e')).toBeVisible();
  await page.getByRole('button', { name: 'Make the plan' }).click();

  // Review: source beside target with the reason of every decision.
  await expect(page).toHaveURL(/plan=[0-9a-f-]{36}/);
  const location = page.locator('tr[data-path="location"]');
  await expect(location).toContainText('us-central1');
  await expect(location).toContainText(/nearest EKS region/i);
  await expect(page.locator('tr[data-path="nodePools[0].machineType"]')).toContainText('machine-type.');
  // The sandbox answers the account's version and type lists, so the plan was made with them.
  await expect(page.locator('[data-plan-catalog]')).toHaveText(/^Catalog: live from Sandbox AWS at /);
  await snapshot(page, 'clone-review');

  // The JSON view validates an edit against the target cloud and names the field at fault.
  await page.getByRole('button', { name: 'JSON' }).click();
  const editor = page.getByLabel('Plan JSON');
  const document = JSON.parse(await editor.inputValue()) as {
    items: { target: { nodePools: { machineType: string }[] } }[];
  };
  const pool = document.items[0]?.target.nodePools[0];
  if (!pool) throw new Error('the plan has no target pool');
  pool.machineType = 'no-such-type';
  await editor.fill(JSON.stringify(document, null, 2));
  await page.getByRole('button', { name: 'Save plan' }).click();
  await expect(page.getByLabel('Field errors')).toContainText('items[0].target.nodePools[0].machineType');
  await page.getByRole('button', { name: 'Discard changes' }).click();
  await page.getByRole('button', { name: 'Side by side' }).click();

  await page.getByRole('button', { name: 'Continue to confirm' }).click();
  await expect(page.getByText(/Policy: /)).toBeVisible();
  await snapshot(page, 'clone-confirm');
  await page.getByRole('button', { name: 'Clone cluster' }).click();

  // The run page: live steps, then Succeeded.
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.locator('[data-step="control-plane"]')).toBeVisible();
  await expect(page.locator('[data-status="succeeded"]')).toBeVisible({ timeout: 90_000 });
  for (const key of ['policy-check', 'validate', 'control-plane', 'wait-ready', 'read-back'])
    await expect(page.locator(`[data-step="${key}"]`)).toHaveAttribute('data-step-status', 'succeeded');
  await expect(page.locator('[data-step^="node-pool:"]').first()).toHaveAttribute(
    'data-step-status',
    'succeeded',
  );
  await snapshot(page, 'run-clone');

  // After a reload the log is replayed once: no event twice.
  await page.reload();
  await expect(page.locator('[data-status="succeeded"]')).toBeVisible();
  await expect(page.getByLabel('Run log')).toContainText('read-back');
  const ids = await page
    .locator('[data-event-id]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-event-id')));
  expect(ids.length).toBeGreaterThan(5);
  expect(new Set(ids).size).toBe(ids.length);

  // The new cluster is in the inventory, in AWS, in dev.
  await page.getByRole('link', { name: 'Open the new cluster in the inventory' }).click();
  await expect(page.getByRole('heading', { name: /shop-prod-e2e/ })).toBeVisible();
  await expect(page.locator('.facts')).toContainText('Sandbox AWS');
  await expect(page.locator('[data-env="dev"]')).toBeVisible();
  await snapshot(page, 'cluster-cloned');
});

test('a developer sees prod disabled as a clone target, with the reason', async ({ page }) => {
  await openAs(page, 'developer@demo.dolly', `/clone?source=${gkeShopProd().id}`);
  await page.getByRole('button', { name: 'Next' }).click();
  await chooseTargetAccount(page, 'Sandbox Azure');
  const prod = page.getByRole('radio', { name: 'prod', exact: true });
  await expect(prod).toBeDisabled();
  const reason = await prod.getAttribute('aria-describedby');
  await expect(page.locator(`[id="${reason}"]`)).toHaveText(/Developers cannot clone into prod/);
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled();
  await expect(page.getByText('Choose the target environment.')).toBeVisible();
});

test('the inventory groups clusters by region across clouds, from the URL', async ({ page }) => {
  await openAs(page, 'viewer@demo.dolly', '/inventory?view=regions&env=prod');
  await expect(page.getByRole('heading', { name: /North America/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: /us-central1/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: /westeurope/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'By region' })).toHaveAttribute('aria-pressed', 'true');
  await snapshot(page, 'inventory-regions');
  // Viewers see no Clone entry and a disabled sync with the reason.
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clone' }),
  ).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Sync inventory' })).toBeDisabled();
  await expect(page.getByText('Viewers cannot sync the inventory.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Import cluster' })).toBeDisabled();
  await expect(page.getByText('Viewers cannot import clusters.')).toBeVisible();
});

test('the theme choice is kept across reloads', async ({ page }) => {
  await openAs(page, 'viewer@demo.dolly');
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await snapshot(page, 'overview-dark');
  await page.getByLabel('Theme').selectOption('light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});
