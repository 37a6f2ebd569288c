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
  // One provider for the whole plan (its own caches, e.g. subnet zones, then serve every item),
  // and one ask per region and scope: what an account lacks depends on where a cluster goes, not
  // on its name, so a plan of several clusters in one region reads the account once (with the
  // pools of all of them, for the quota checks).
  let source: PreflightSource | undefined;
  for (const group of byRegion(targets)) {
    const [first] = group;
    if (!first) continue;
    const r = await askAccount(async (ctx) => {
      source ??= provider();
      // said in the plan, so "nothing missing" is never claimed for checks that did not run
      if (!source.preflight) return undefined;
      // the region's planned pools together, so a quota is compared with all the plan puts there
      const probe = group.length === 1 ? first : { ...first, nodePools: group.flatMap((t) => t.nodePools) };
      return source.preflight(probe, ctx);
    }, timeoutMs);
    if (!r.ok) reasons.add(r.reason);
    else if (r.value === undefined) reasons.add(`no preflight checks for ${account.cloud} accounts yet`);
    else for (const target of group) for (const f of r.value) findings.push({ target: target.name, ...f });
  }
  return { ...base, findings, ...(reasons.size ? { reason: [...reasons].join('; ') } : {}) };
}

/** The plan's targets grouped by where they go (scope and region), in plan order. */
export function byRegion(targets: TargetClusterSpec[]): TargetClusterSpec[][] {
  const groups = new Map<string, TargetClusterSpec[]>();
  for (const t of targets) {
    const key = `${t.scope ?? ''}\n${t.location}`;
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  return [...groups.values()];
}

/** The findings apply refuses on. */
export function preflightBlockers(p: PlanPreflight): PreflightFinding[] {
  return p.findings.filter((f) => f.severity === 'blocker');
}
