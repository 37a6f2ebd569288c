/**
 * Preflight of a clone: what the target account lacks to create each planned cluster (IAM roles,
 * subnets in two zones), with the exact fix, so a fresh account fails in the plan and not half-way
 * through apply. Shared by planning, editing and applying.
 */
import type { PlanPreflight, PreflightFinding, TargetClusterSpec } from '@dolly/model';
import type { PreflightCheck } from '@dolly/providers';
import { askAccount, liveCatalogTimeoutMs } from './live-catalog.ts';

export interface PreflightSource {
  preflight?(
    target: TargetClusterSpec,
    ctx: { signal: AbortSignal; timeoutMs: number },
  ): Promise<PreflightCheck[]>;
}

/** Never throws: an account that cannot be asked gets a `reason`, and apply's own checks still hold. */
export async function planPreflight(
  provider: () => PreflightSource,
  account: { name: string; cloud: string },
  targets: TargetClusterSpec[],
): Promise<PlanPreflight> {
  const timeoutMs = liveCatalogTimeoutMs();
  const base = { checkedAt: new Date().toISOString(), account: account.name };
  if (timeoutMs === 0)
    return {
      ...base,
      findings: [],
      reason: 'account checks are turned off (DOLLY_PLAN_CATALOG_TIMEOUT_MS=0)',
    };
  const findings: PreflightFinding[] = [];
  const reasons = new Set<string>();
  for (const target of targets) {
    const r = await askAccount(async (ctx) => {
      const source = provider();
      // said in the plan, so "nothing missing" is never claimed for checks that did not run
      if (!source.preflight) return undefined;
      return source.preflight(target, ctx);
    }, timeoutMs);
    if (!r.ok) reasons.add(r.reason);
    else if (r.value === undefined) reasons.add(`no preflight checks for ${account.cloud} accounts yet`);
    else for (const f of r.value) findings.push({ target: target.name, ...f });
  }
  return { ...base, findings, ...(reasons.size ? { reason: [...reasons].join('; ') } : {}) };
}

/** The findings apply refuses on. */
export function preflightBlockers(p: PlanPreflight): PreflightFinding[] {
  return p.findings.filter((f) => f.severity === 'blocker');
}
