import type { Command } from 'commander';
import type { DriftReport } from '../api/types.ts';
import { handle } from '../command-kit.ts';
import { outputOption } from '../output/format.ts';
import { renderFields, renderTable } from '../output/table.ts';
import { since } from '../output/time.ts';
import { resolveClusterId } from '../refs.ts';
import type { Runtime } from '../runtime.ts';

/** Exit code when drift was found: `terraform plan -detailed-exitcode`'s, so 1 stays "error". */
export const DRIFT_EXIT_CODE = 2;

const shown = (v: unknown): string =>
  v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);

/** One row per finding, the most serious first (then by path, as the report orders them). */
export function driftTable(report: DriftReport): string {
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  const rows = [...report.findings].sort(
    (a, b) => rank[a.severity] - rank[b.severity] || a.path.localeCompare(b.path),
  );
  return renderTable(
    rows,
    [
      { header: 'severity', value: (f) => f.severity },
      { header: 'path', value: (f) => f.path },
      { header: 'expected', value: (f) => shown(f.expected) },
      { header: 'actual', value: (f) => shown(f.actual) },
    ],
    'No drift: the clone matches its source.',
  );
}

/** One row per object field that differs from what the last migration would write now. */
export function workloadTable(report: DriftReport): string {
  const w = report.workloads;
  if (!w) return '';
  if (w.error) return `Workloads not compared: ${w.error}`;
  return renderTable(
    w.findings,
    [
      { header: 'object', value: (f) => `${f.kind} ${f.namespace}/${f.name}` },
      {
        header: 'path',
        value: (f) =>
          f.path !== 'object'
            ? f.path
            : f.actual === null
              ? '(missing in the clone)'
              : '(not from the migration)',
      },
      { header: 'expected', value: (f) => shown(f.expected) },
      { header: 'actual', value: (f) => shown(f.actual) },
    ],
    `No workload drift: ${w.namespaces.join(', ')} match the last migration.`,
  );
}

export function driftSummary(report: DriftReport, source: string, now = Date.now()): string {
  const objects = report.workloads?.findings.length ?? 0;
  return renderFields([
    ['source', source],
    [
      'drifted',
      report.drifted
        ? `yes, ${report.findings.length} finding(s)${report.workloads ? `, ${objects} workload finding(s)` : ''}`
        : 'no',
    ],
    [
      'compared with',
      report.basis === 'plan' ? 'the clone plan' : 'the source translated again (no plan found)',
    ],
    ...(report.workloads
      ? [
          [
            'workloads',
            `${report.workloads.namespaces.join(', ') || '—'} against migration ${report.workloads.runId}${report.workloads.truncated ? ' (first findings only)' : ''}`,
          ] as [string, string],
        ]
      : []),
    ['checked', since(report.createdAt, now)],
    ['report', report.id],
  ]);
}

export function registerDriftCommand(program: Command, rt: Runtime): void {
  program
    .command('drift')
    .argument('<cluster>', 'the clone: id, name, or cloud/location/name')
    .description('Compare a clone with its source now and show what drifted')
    .option('--latest', 'show the latest stored report instead of checking (viewers may do this)')
    .option('--json', 'the report as JSON (same as -o json)')
    .addOption(outputOption())
    .addHelpText(
      'after',
      `
Compares the inventory as the last sync read it (run dolly sync first for this minute's state).
Expected differences (the other cloud's machine type names, its region) are not drift: the clone
is compared with what its plan asked for, and the source with itself as it was planned. When a
migration went into the clone, its namespaces are compared too: the last succeeded migration
planned again now, object by object (Secret values are never shown).

Exit codes: 0 no drift, 2 drift found (infra or workloads), 1 error (e.g. the cluster was not cloned by Dolly).

Examples:
  $ dolly drift aws/us-east-1/shop-prod-eks
  $ dolly drift shop-prod-eks --json | jq '.findings[].path'
  $ dolly drift shop-prod-eks --latest`,
    )
    .action(
      handle<{ latest?: boolean; json?: boolean }, [string]>(rt, async (kit, opts, ref) => {
        const { api } = kit.session();
        const id = await resolveClusterId(api, ref);
        let report: DriftReport | null;
        let source: string;
        if (opts.latest) {
          const history = await api.driftHistory(id, { limit: 1 });
          report = history.latest;
          source = history.source
            ? `${history.source.cloud}/${history.source.location}/${history.source.name}`
            : '—';
          if (!report) {
            kit.note(`No drift report for ${ref} yet: run dolly drift ${ref} to check now.`);
            return 1;
          }
        } else {
          report = await api.checkDrift(id);
          const history = await api.driftHistory(id, { limit: 1 });
          source = history.source
            ? `${history.source.cloud}/${history.source.location}/${history.source.name}`
            : '—';
        }
        const r = report;
        if (opts.json) kit.rt.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        else
          kit.print(r, () =>
            [driftSummary(r, source), driftTable(r), workloadTable(r)].filter(Boolean).join('\n\n'),
          );
        return r.drifted ? DRIFT_EXIT_CODE : 0;
      }),
    );
}
