import { expect, test } from '@playwright/test';
import { apiAs, type ClusterRow, openAs, sandboxUrl, snapshot, syncInventory } from './support.ts';

let inventory: ClusterRow[] = [];

test.beforeAll(async () => {
  inventory = await syncInventory();
});

test('an operator imports a cluster by pasting a kubeconfig and sees it in the inventory', async ({
  page,
}) => {
  // The sandbox's EKS shop-dev kube API plays the on-prem cluster; its admin kubeconfig has a static token.
  const eks = inventory.find((c) => c.cloud === 'aws' && c.name === 'shop-dev');
  if (!eks) throw new Error('aws shop-dev is not in the inventory');
  const detail = await (await apiAs('operator@demo.dolly')).get<{ location: string }>(
    `/api/v1/clusters/${eks.id}`,
  );
  const res = await fetch(
    `${sandboxUrl}/_sandbox/kubeconfig?cloud=aws&scope=${eks.scope}&location=${detail.location}&name=shop-dev`,
  );
  expect(res.status).toBe(200);
  const kubeconfig = await res.text();
  const name = `onprem-${Date.now().toString(36).slice(-5)}`;

  await openAs(page, 'operator@demo.dolly', '/inventory');
  await expect(page.getByRole('heading', { name: 'Inventory' })).toBeVisible();
  await page.getByRole('button', { name: 'Import cluster' }).click();
  const form = page.getByRole('form', { name: 'Import cluster' });
  await form.getByLabel('Name').fill(name);

  // A kubeconfig that asks to run a plugin is refused, naming the field.
  await form
    .getByLabel('Kubeconfig')
    .fill(
      kubeconfig.replace(
        /token: .*/,
        'exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: touch',
      ),
    );
  await form.getByRole('button', { name: 'Test and import' }).click();
  await expect(form.getByRole('alert')).toContainText('users[].user.exec');

  await form.getByLabel('Kubeconfig').fill(kubeconfig);
  await form.getByLabel(/^Environment/).fill('dev');
  await form.getByRole('button', { name: 'Test and import' }).click();
  await expect(form.getByRole('status')).toContainText(`Imported ${name}`, { timeout: 30_000 });

  const row = page.locator(`tr[data-cluster="${name}"]`);
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Kubernetes (imported)');
  await expect(row).toContainText('dev');
  await snapshot(page, 'inventory-imported');

  // A migration source and target; never a clone's source.
  await page.goto('/migrate');
  await expect(page.getByLabel('Source cluster').locator('option', { hasText: name })).toHaveCount(1);
  await page.goto('/clone');
  await expect(page.getByText(name)).toHaveCount(0);
});
