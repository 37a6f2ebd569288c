import { expect, test } from '@playwright/test';
import {
  apiAs,
  type ClusterRow,
  sandboxSpeed,
  setSandboxSpeed,
  openAs,
  snapshot,
  syncInventory,
  waitForRun,
} from './support.ts';

let inventory: ClusterRow[] = [];

test.beforeAll(async () => {
  inventory = await syncInventory();
});

interface Run {
  id: string;
  status: string;
}

test('an operator cancels a running clone and rolls it back from the run page', async ({ page }) => {
  const source = inventory.find((c) => c.cloud === 'gcp' && c.name === 'shop-dev');
  if (!source) throw new Error('shop-dev (GKE) is not in the inventory');
  const api = await apiAs('operator@demo.dolly');
  const accounts = (await api.get<{ items: { id: string; name: string }[] }>('/api/v1/accounts')).items;
  const azure = accounts.find((a) => a.name === 'Sandbox Azure');
  if (!azure) throw new Error('no Sandbox Azure account');
  const speed = await sandboxSpeed();
  // Slow clouds, so the clone is still creating when we cancel it.
  await setSandboxSpeed(5);
  try {
    const plan = await api.post<{ id: string }>('/api/v1/plans', {
      source: { clusterIds: [source.id] },
      target: { accountId: azure.id, environment: 'dev', nameSuffix: '-cancel' },
    });
    const { runs } = await api.post<{ runs: Run[] }>(
      `/api/v1/plans/${plan.id}/apply`,
      {},
      {
        'idempotency-key': `e2e-cancel-${plan.id}`,
      },
    );
    const run = runs[0];
    if (!run) throw new Error('apply started no run');

    await openAs(page, 'operator@demo.dolly', `/runs/${run.id}`);
    // Cancel while a cloud step is in flight (the control plane coming up takes longest).
    await expect(page.locator('[data-step="control-plane"][data-step-status="running"]')).toBeVisible({
      timeout: 60_000,
    });
    await snapshot(page, 'run-running');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this run?' });
    await dialog.getByRole('button', { name: 'Cancel run' }).click();
    await expect(page.locator('[data-status="cancelled"]')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByText('Stopped on request; retry or roll back.')).toBeVisible();
  } finally {
    await setSandboxSpeed(speed);
  }

  // Rollback starts a new run that deletes what the cancelled one created.
  const cancelledUrl = page.url();
  await page.getByRole('button', { name: 'Roll back' }).click();
  await page
    .getByRole('dialog', { name: 'Roll back this run?' })
    .getByRole('button', { name: 'Roll back' })
    .click();
  await expect(page).not.toHaveURL(cancelledUrl);
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.locator('[data-status="succeeded"]')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByText(/Rolls back/)).toBeVisible();
  await expect(page.locator('[data-step^="delete:"]').first()).toHaveAttribute(
    'data-step-status',
    'succeeded',
  );
  await snapshot(page, 'run-rollback');
  // The cancelled clone is now rolled back, and its ledger says what was deleted.
  await page.getByRole('link', { name: /^run / }).click();
  await expect(page).toHaveURL(cancelledUrl);
  await expect(page.locator('[data-status="rolled_back"]')).toBeVisible();
  await expect(page.getByLabel('Resources created by this run')).toContainText('Deleted');
});

test('the runs list keeps its filters in the URL and charts clone durations', async ({ page }) => {
  const api = await apiAs('developer@demo.dolly');
  const stats = await api.get<{ runs: number }>('/api/v1/runs/stats/durations');
  const selftest = await api.post<Run>('/api/v1/selftest', {});
  await waitForRun(api, selftest.id);

  await openAs(page, 'developer@demo.dolly');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
  await expect(page.getByRole('heading', { name: 'Runs' })).toBeVisible();
  await page.getByLabel('Kind', { exact: true }).selectOption('selftest');
  await page.getByLabel('Status', { exact: true }).selectOption('succeeded');
  await expect(page).toHaveURL(/kind=selftest/);
  await expect(page).toHaveURL(/status=succeeded/);
  await expect(page.locator(`tr[data-run="${selftest.id}"]`)).toBeVisible();
  const statuses = await page
    .locator('[data-run-status]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-run-status')));
  expect(statuses.length).toBeGreaterThan(0);
  expect(new Set(statuses)).toEqual(new Set(['succeeded']));
  // A clone finished earlier in this run of the suite charts its steps; alone, the chart is empty.
  const chart = page.getByRole('img', { name: /Clone step durations/ });
  await expect(stats.runs > 0 ? chart : chart.or(page.getByText('No finished clone yet'))).toBeVisible();
  await snapshot(page, 'runs');

  // The filters survive a reload.
  await page.reload();
  await expect(page.getByLabel('Kind', { exact: true })).toHaveValue('selftest');
});

test('a viewer sees what they cannot do on a run, and why', async ({ page }) => {
  const api = await apiAs('developer@demo.dolly');
  const run = await api.post<Run>('/api/v1/selftest', {});
  await waitForRun(api, run.id);
  await openAs(page, 'viewer@demo.dolly', `/runs/${run.id}`);
  await expect(page.locator('[data-status="succeeded"]')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Run again' })).toBeDisabled();
  await expect(page.getByText('Viewers cannot start runs.')).toBeVisible();
});
