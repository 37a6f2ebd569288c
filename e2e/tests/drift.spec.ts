import { expect, test } from '@playwright/test';
import { scaleEksNodegroup } from '../../packages/providers/test/support/eks-scale.ts';
import {
  apiAs,
  type ClusterRow,
  openAs,
  sandboxUrl,
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
  result?: { clusterId?: string };
}
interface ClusterDetail {
  id: string;
  name: string;
  scope: string;
  location: string;
  nodePools: {
    name: string;
    nodeCount: number;
    spec: { autoscaling?: { minNodes: number; maxNodes: number } };
  }[];
}

test('a developer checks a clone for drift after its node group was scaled behind Dolly', async ({
  page,
}) => {
  const source = inventory.find((c) => c.cloud === 'gcp' && c.name === 'shop-prod');
  if (!source) throw new Error('shop-prod (GKE) is not in the inventory');
  const api = await apiAs('developer@demo.dolly');
  const accounts = (await api.get<{ items: { id: string; name: string }[] }>('/api/v1/accounts')).items;
  const aws = accounts.find((a) => a.name === 'Sandbox AWS');
  if (!aws) throw new Error('no Sandbox AWS account');
  const plan = await api.post<{ id: string }>('/api/v1/plans', {
    source: { clusterIds: [source.id] },
    target: {
      accountId: aws.id,
      environment: 'dev',
      nameSuffix: `-drift${Date.now().toString(36).slice(-4)}`,
    },
  });
  const { runs } = await api.post<{ runs: Run[] }>(`/api/v1/plans/${plan.id}/apply`, {});
  const done = await waitForRun(api, runs[0]?.id ?? '');
  expect(done.status).toBe('succeeded');
  const { result } = await api.get<Run>(`/api/v1/runs/${done.id}`);
  const clone = await api.get<ClusterDetail>(`/api/v1/clusters/${result?.clusterId}`);

  await openAs(page, 'developer@demo.dolly', `/clusters/${clone.id}`);
  const drift = page.getByRole('region', { name: /Drift/ });
  await expect(drift.getByRole('link', { name: 'shop-prod' })).toBeVisible();
  await expect(drift.getByText('Not checked')).toBeVisible();
  await drift.getByRole('button', { name: 'Check now' }).click();
  await expect(drift.getByText('In sync').first()).toBeVisible();
  await expect(drift.getByText(/No drift at the last check/)).toBeVisible();

  // Someone widens the autoscaling of a node group in the AWS console (here: the EKS API).
  const pool = [...clone.nodePools].sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!pool) throw new Error('the clone has no pools');
  const sandboxAccounts = (await (await fetch(`${sandboxUrl}/_sandbox/accounts`)).json()) as {
    cloud: string;
    id: string;
    endpoints: Record<string, string>;
    credentials: Record<string, unknown>;
  }[];
  const account = sandboxAccounts.find((a) => a.cloud === 'aws' && a.id === clone.scope);
  if (!account) throw new Error(`no sandbox AWS account ${clone.scope}`);
  const bounds = pool.spec.autoscaling;
  const where = { region: clone.location, cluster: clone.name, nodegroup: pool.name };
  if (bounds)
    await scaleEksNodegroup(account, where, {
      minSize: bounds.minNodes,
      maxSize: bounds.maxNodes + 4,
      desiredSize: pool.nodeCount,
    });
  else
    await scaleEksNodegroup(account, where, {
      minSize: pool.nodeCount + 1,
      maxSize: pool.nodeCount + 1,
      desiredSize: pool.nodeCount + 1,
    });
  await syncInventory();

  await drift.getByRole('button', { name: 'Check now' }).click();
  const path = bounds ? `nodePools[${pool.name}].autoscaling` : `nodePools[${pool.name}].nodeCount`;
  const row = drift.getByRole('table', { name: 'Drift findings' }).locator(`[data-finding="${path}"]`);
  await expect(row).toBeVisible();
  if (bounds) await expect(row).toContainText(`"maxNodes":${bounds.maxNodes + 4}`);
  await expect(drift.locator('[data-drift="drifted"]').first()).toBeVisible();
  await drift.getByText(/History of checks/).click();
  await expect(
    drift.getByRole('table', { name: 'Drift history' }).getByText('a person').first(),
  ).toBeVisible();
  await snapshot(page, 'cluster-drift');

  // The inventory marks the drifted clone, and the badge leads to its drift section.
  await page.goto(`/inventory?q=${encodeURIComponent(clone.name)}`);
  const listed = page.locator(`tr[data-cluster="${clone.name}"]`);
  const badge = listed.locator('[data-drift-badge="drifted"]');
  await expect(badge).toBeVisible();
  await badge.click();
  await expect(page).toHaveURL(new RegExp(`/clusters/${clone.id}\\?tab=drift`));
  await expect(
    page.getByRole('region', { name: /Drift/ }).locator('[data-drift="drifted"]').first(),
  ).toBeVisible();
});
