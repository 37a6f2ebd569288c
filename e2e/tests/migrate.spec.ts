import { expect, type Page, test } from '@playwright/test';
import { type ClusterRow, openAs, snapshot, syncInventory } from './support.ts';

let inventory: ClusterRow[] = [];

test.beforeAll(async () => {
  inventory = await syncInventory();
});

function find(cloud: string, name: string, scope?: string): ClusterRow {
  const c = inventory.find((x) => x.cloud === cloud && x.name === name && (!scope || x.scope === scope));
  if (!c) throw new Error(`${cloud} ${name} is not in the inventory: ${inventory.map((x) => x.name)}`);
  return c;
}

const gkeShopProd = () => find('gcp', 'shop-prod', 'dolly-demo-prod');
const eksShopDev = () => find('aws', 'shop-dev');
const eksShopProd = () => find('aws', 'shop-prod');

const targetRadio = (page: Page, id: string) =>
  page.locator(`[data-target-cluster="${id}"] input[type="radio"]`);

test('an operator migrates shop from GKE prod into EKS dev with Secrets, via the dry run', async ({
  page,
}) => {
  const source = gkeShopProd();
  const target = eksShopDev();
  await openAs(page, 'operator@demo.dolly', `/clusters/${source.id}`);
  await expect(page.getByRole('heading', { name: /shop-prod/ })).toBeVisible();
  await page.getByRole('button', { name: 'Migrate namespaces…' }).click();

  // Source: pre-filled from the cluster page and kept in the URL.
  await expect(page.getByRole('heading', { name: 'Migrate namespaces' })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`source=${source.id}`));
  await expect(page.getByLabel('Source cluster')).toHaveValue(source.id);
  await expect(page.getByLabel(/^Namespaces/)).toHaveValue('shop');
  const secrets = page.getByRole('checkbox', { name: 'Include Secrets' });
  await expect(secrets).toBeEnabled();
  await secrets.check();
  await snapshot(page, 'migrate-source');
  await page.getByRole('button', { name: 'Next' }).click();

  // Target: the AWS dev cluster, shop → shop-e2e.
  await targetRadio(page, target.id).check();
  const nsInput = page.getByLabel('Target namespace for shop');
  await expect(nsInput).toHaveValue('shop-copy');
  await nsInput.fill('shop-e2e');
  await expect(page).toHaveURL(new RegExp(`target=${target.id}`));
  await snapshot(page, 'migrate-target');
  await page.getByRole('button', { name: 'Next' }).click();

  // Mappings: the per-cloud-pair defaults, volumes copied.
  await expect(page.getByRole('checkbox', { name: /Copy volumes/ })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: /Cutover/ })).not.toBeChecked();
  await page.getByRole('button', { name: 'Dry run', exact: true }).click();

  // Review: the dry-run document.
  const deployment = page.locator('tr[data-object^="Deployment/shop-e2e/"]').first();
  await expect(deployment).toBeVisible({ timeout: 90_000 });
  await expect(deployment).toContainText('Deployment');
  await expect(deployment).toHaveAttribute('data-action', /create|update|unchanged|skip/);
  const checks = page.getByLabel('Preflight checks');
  await expect(checks.locator('li[data-check]').first()).toBeVisible();
  await expect(checks.locator('li[data-check]').first()).toContainText(/Pass|Warning|Fail/);
  await expect(page.getByRole('list', { name: 'Namespaces' })).toContainText('shop-e2e');
  // A change record opens in place.
  const withChanges = page.locator('tr[data-object] details').first();
  if ((await withChanges.count()) > 0) {
    await withChanges.locator('summary').click();
    await expect(withChanges.locator('li').first()).toBeVisible();
  }
  await snapshot(page, 'migrate-review');

  // The same document as YAML.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download YAML' }).click();
  expect((await download).suggestedFilename()).toMatch(/^migration-plan-shop-prod-to-shop-dev\.yaml$/);

  await page.getByRole('button', { name: 'Continue to confirm' }).click();
  await expect(page.getByText(/Policy: /)).toBeVisible();
  await expect(page.getByText(/Secrets included/)).toBeVisible();
  await snapshot(page, 'migrate-confirm');
  await page.getByRole('button', { name: 'Start migration' }).click();

  // The run page: plan → policy-check → apply → copy-volumes → verify, then Succeeded.
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.locator('[data-status="succeeded"]')).toBeVisible({ timeout: 110_000 });
  await expect(page.getByText('Succeeded').first()).toBeVisible();
  for (const key of ['plan', 'policy-check', 'apply', 'verify'])
    await expect(page.locator(`[data-step="${key}"]`)).toHaveAttribute('data-step-status', 'succeeded');
  await snapshot(page, 'run-migrate');
});

test('a developer sees the prod target and Secrets disabled, with the reasons', async ({ page }) => {
  await openAs(page, 'developer@demo.dolly', `/migrate?source=${gkeShopProd().id}`);
  await expect(page.getByRole('heading', { name: 'Migrate namespaces' })).toBeVisible();
  const secrets = page.getByRole('checkbox', { name: 'Include Secrets' });
  await expect(secrets).toBeDisabled();
  const secretsReason = await secrets.getAttribute('aria-describedby');
  await expect(page.locator(`[id="${secretsReason}"]`)).toHaveText(
    /Only operators and above may copy Secrets/,
  );
  await page.getByRole('button', { name: 'Next' }).click();

  const prod = targetRadio(page, eksShopProd().id);
  await expect(prod).toBeDisabled();
  const reason = await prod.getAttribute('aria-describedby');
  await expect(page.locator(`[id="${reason}"]`)).toHaveText(/Developers cannot migrate into prod/);
  await expect(targetRadio(page, eksShopDev().id)).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled();
  await expect(page.getByText('Choose the target cluster.')).toBeVisible();
  await snapshot(page, 'migrate-developer-target');

  // Into dev is allowed, but copying volumes and cutover write into the prod source.
  await targetRadio(page, eksShopDev().id).check();
  await page.getByRole('button', { name: 'Next' }).click();
  const copy = page.getByRole('checkbox', { name: /Copy volumes/ });
  await expect(copy).toBeDisabled();
  await expect(copy).not.toBeChecked();
  const copyReason = await copy.getAttribute('aria-describedby');
  await expect(page.locator(`[id="${copyReason}"]`)).toHaveText(/write.* into the source .*counts as prod/);
  const cutover = page.getByRole('checkbox', { name: /Cutover/ });
  await expect(cutover).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Dry run', exact: true })).toBeEnabled();
});
