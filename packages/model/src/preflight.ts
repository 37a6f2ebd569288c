import type { PlanPreflight } from './schemas';

/** The preflight of a stored plan for people (CLI and dashboard): one line, or one per finding. */
export function preflightLines(p: PlanPreflight | undefined): string[] {
  if (!p) return ['Preflight: not recorded with this plan'];
  const account = p.account ?? 'the target account';
  const lines: string[] = [];
  const blockers = p.findings.filter((f) => f.severity === 'blocker').length;
  if (p.findings.length === 0 && !p.reason) return [`Preflight: ${account} has what the plan needs`];
  if (p.findings.length > 0)
    lines.push(
      `Preflight: ${account} lacks ${p.findings.length} thing(s)${blockers ? `; apply refuses until the ${blockers} blocker(s) are fixed` : ''}:`,
    );
  for (const f of p.findings) {
    lines.push(`  ${f.severity === 'blocker' ? 'blocker' : 'warning'} ${f.target}: ${f.message}`);
    lines.push(`    fix: ${f.fix}`);
  }
  if (p.reason) lines.push(`Preflight: ${account} could not be checked (${p.reason})`);
  return lines;
}
