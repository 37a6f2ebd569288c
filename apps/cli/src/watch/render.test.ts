import { describe, expect, it } from 'vitest';
import { colors } from '../output/colors.ts';
import { at, cloneEvents, failedRun, queuedRun } from './fixtures/clone-run.ts';
import { applyEvent, applyStatus, viewOfRun } from './progress.ts';
import { createPlainPrinter, renderRunFrame, summaryLines } from './render.ts';

const pc = colors(false);

describe('watch rendering from a recorded event list', () => {
  it('prints one plain line per transition, phase and quarter of progress', () => {
    const view = viewOfRun(queuedRun);
    const printer = createPlainPrinter(pc, { prefix: false });
    const lines = [...printer.status(applyStatus(view, 'running'))];
    for (const e of cloneEvents) lines.push(...printer.event(applyEvent(view, e), e));
    lines.push(...printer.status(applyStatus(view, 'failed')));
    expect(lines).toEqual([
      'Clone shop-prod (gcp us-central1) → aws us-east-2: • Running',
      '  Run started by developer@demo.dolly',
      '→ policy-check started',
      '✔ policy-check succeeded in 120ms',
      '→ control-plane started',
      '  control-plane: creating the EKS control plane 10%',
      '  control-plane: creating the EKS control plane 60%',
      '✔ control-plane succeeded in 8.0s',
      '→ node-pool:general started',
      '→ node-pool:gpu started',
      '  node-pool:gpu: waiting for capacity',
      '✖ node-pool:gpu failed after 3.0s: ResourceLimitExceeded: no p3.2xlarge capacity',
      'Clone shop-prod (gcp us-central1) → aws us-east-2: ✖ Failed',
    ]);
  });

  it('draws the live frame: spinner, progress bar, durations', () => {
    const view = applyStatus(viewOfRun(queuedRun), 'running');
    view.startedAt = Date.parse(at(0.5));
    for (const e of cloneEvents.slice(0, 7)) applyEvent(view, e);
    expect(renderRunFrame(view, Date.parse(at(7)), 2, pc)).toBe(
      [
        '⠹ Clone shop-prod (gcp us-central1) → aws us-east-2  • Running  6.5s  7d3c1b8e',
        '  ✔ policy-check   120ms',
        '  ⠹ control-plane  creating the EKS control plane ██████████░░░░░░  60%  6.3s',
        '  Run started by developer@demo.dolly',
      ].join('\n'),
    );
  });

  it('closes with the outcome and what to do next, from the final run', () => {
    const view = viewOfRun(failedRun);
    expect(renderRunFrame(view, 0, 0, pc)).toBe(
      [
        'Clone shop-prod (gcp us-central1) → aws us-east-2  ✖ Failed  11.5s  7d3c1b8e',
        '  ✔ policy-check       120ms',
        '  ✔ control-plane      8.0s',
        '  ✔ node-pool:general  3.1s',
        '  ✖ node-pool:gpu      3.0s  ResourceLimitExceeded: no p3.2xlarge capacity',
      ].join('\n'),
    );
    expect(summaryLines(view, pc)).toEqual([
      `✖ Failed in 11.5s: Clone shop-prod (gcp us-central1) → aws us-east-2 (run ${failedRun.id})`,
      '  node-pool:gpu: ResourceLimitExceeded: no p3.2xlarge capacity',
      `  resume: dolly runs retry ${failedRun.id}   undo: dolly runs rollback ${failedRun.id}`,
    ]);
  });

  it('tells how to approve a run waiting for approval', () => {
    const view = viewOfRun({ ...queuedRun, status: 'pending_approval' });
    expect(renderRunFrame(view, Date.parse(at(1)), 0, pc)).toContain(
      `waiting for approval: dolly runs approve ${queuedRun.id}`,
    );
    expect(createPlainPrinter(pc, { prefix: true }).status(view)).toEqual([
      '[7d3c1b8e] Clone shop-prod (gcp us-central1) → aws us-east-2: ! Pending approval',
      `[7d3c1b8e]   waiting for approval: dolly runs approve ${queuedRun.id}`,
    ]);
  });
});
