import type { CloudAccount, Run } from '@dolly/db';
import { scopesOf } from '@dolly/providers';
import type { ProcessorDeps } from '../deps.ts';
import { markVanished, upsertDiscovered } from '../inventory.ts';
import { checkTenantDrift } from './drift.ts';

export interface AccountSyncResult {
  accountId: string;
  account: string;
  cloud: string;
  ok: boolean;
  found: number;
  created: number;
  vanished: number;
  error?: string;
}

/**
 * Inventory sync: every account of the tenant discovered in parallel (each bounded by its own
 * rate-limit bucket), clusters and pools upserted with their raw cloud documents, the ones gone
 * marked vanished. One account failing does not hide the others: the run partially succeeds.
 */
export async function processSync(deps: ProcessorDeps, run: Run, signal: AbortSignal) {
  const { id: runId, tenantId } = run;
  const accountIds = (run.input as { accountIds?: string[] }).accountIds;
  const accounts = await deps.db.cloudAccount.findMany({
    where: { tenantId, ...(accountIds?.length ? { id: { in: accountIds } } : {}) },
    orderBy: { name: 'asc' },
  });
  const steps = deps.steps(runId, signal);
  await deps.appendRunEvent(runId, 'info', `Discovering ${accounts.length} cloud account(s)`);
  const results = await Promise.all(
    accounts.map((account) =>
      steps
        .runStep(`discover:${account.name}`, () => syncAccount(deps, runId, account, signal))
        .catch((error: unknown): AccountSyncResult => {
          if (signal.aborted) throw error;
          return {
            accountId: account.id,
            account: account.name,
            cloud: account.cloud,
            ok: false,
            found: 0,
            created: 0,
            vanished: 0,
            error: error instanceof Error ? error.message : String(error),
          };
        }),
    ),
  );
  const failed = results.filter((r) => !r.ok);
  // The schedule's drift check rides on the sync: the inventory it compares is now fresh.
  const drift =
    failed.length < results.length || accounts.length === 0 ? await checkTenantDrift(deps, tenantId) : null;
  if (drift?.checked || drift?.failed)
    await deps.appendRunEvent(
      runId,
      drift.detected ? 'warn' : 'info',
      `Drift: ${drift.checked} clone(s) checked, ${drift.drifted} drifted, ${drift.detected} new${drift.failed ? `, ${drift.failed} could not be checked` : ''}`,
    );
  const result = {
    accounts: results,
    clusters: results.reduce((n, r) => n + r.found, 0),
    created: results.reduce((n, r) => n + r.created, 0),
    vanished: results.reduce((n, r) => n + r.vanished, 0),
    ...(drift ? { drift } : {}),
  };
  if (failed.length === 0 || accounts.length === 0) {
    await deps.lifecycle.finish(runId, 'succeeded', result);
  } else if (failed.length < results.length) {
    await deps.lifecycle.finish(runId, 'partially_succeeded', result);
  } else {
    await deps.lifecycle.fail(
      runId,
      'cloud',
      `every account failed: ${failed.map((f) => f.error).join('; ')}`,
      {
        accounts: results,
      },
    );
  }
}

async function syncAccount(
  deps: ProcessorDeps,
  runId: string,
  account: CloudAccount,
  signal: AbortSignal,
): Promise<AccountSyncResult> {
  const seenAt = new Date();
  // One set of credentials may reach several projects or subscriptions.
  const scopes = scopesOf(account);
  const seen: string[] = [];
  const timings: string[] = [];
  let created = 0;
  for (const scope of scopes.length ? scopes : [undefined]) {
    const provider = deps.cloud.provider(account, scope);
    const discoverStarted = Date.now();
    const found = await provider.discover({ signal });
    const storeStarted = Date.now();
    for (let i = 0; i < found.length; i += 200) {
      signal.throwIfAborted();
      for (const row of await upsertDiscovered(deps.db, account, found.slice(i, i + 200), seenAt)) {
        seen.push(row.id);
        if (row.created) created++;
      }
    }
    timings.push(
      `${scope ?? account.name}: listed ${found.length} in ${storeStarted - discoverStarted} ms, stored in ${Date.now() - storeStarted} ms`,
    );
  }
  const vanished = await markVanished(deps.db, account.id, seen, seenAt);
  await deps.db.cloudAccount.update({
    where: { id: account.id },
    data: { lastTestedAt: seenAt, lastTestResult: { ok: true, via: 'sync', runId } },
  });
  await deps.appendRunEvent(
    runId,
    'info',
    `${account.name}: ${seen.length} cluster(s), ${created} new, ${vanished} vanished (${timings.join('; ')})`,
    { stepKey: `discover:${account.name}` },
  );
  return {
    accountId: account.id,
    account: account.name,
    cloud: account.cloud,
    ok: true,
    found: seen.length,
    created,
    vanished,
  };
}
