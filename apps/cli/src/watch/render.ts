import type { RunEvent } from '../api/types.ts';
import type { Colors } from '../output/colors.ts';
import { formatDuration } from '../output/time.ts';
import { isTerminal, statusText } from '../run/outcome.ts';
import type { RunView, StepView } from './progress.ts';

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export const shortId = (id: string): string => id.slice(0, 8);

export function runName(view: Pick<RunView, 'title' | 'kind'>): string {
  return view.title ?? `${view.kind} run`;
}

function bar(percent: number, width = 16): string {
  const p = Math.max(0, Math.min(100, percent));
  const full = Math.round((p / 100) * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)} ${String(Math.round(p)).padStart(3)}%`;
}

function stepDuration(step: StepView, now: number): string {
  if (step.durationMs !== undefined) return formatDuration(step.durationMs);
  if (step.status === 'running' && step.startedAt !== undefined)
    return formatDuration(Math.max(0, now - step.startedAt));
  return '';
}

function stepIcon(step: StepView, tick: number, pc: Colors): string {
  switch (step.status) {
    case 'running':
      return pc.cyan(SPINNER[tick % SPINNER.length]!);
    case 'succeeded':
      return pc.green('✔');
    case 'failed':
      return pc.red('✖');
    case 'skipped':
      return pc.dim('-');
    default:
      return pc.dim('○');
  }
}

function runDuration(view: RunView, now: number): string {
  const start = view.startedAt ?? view.createdAt;
  if (start === undefined) return '';
  return formatDuration(Math.max(0, (view.finishedAt ?? now) - start));
}

/** One run as the live (TTY) view draws it: a header line, then one line per step. */
export function renderRunFrame(view: RunView, now: number, tick: number, pc: Colors): string {
  const spinner = isTerminal(view.status) ? '' : `${pc.cyan(SPINNER[tick % SPINNER.length]!)} `;
  const lines = [
    `${spinner}${pc.bold(runName(view))}  ${statusText(view.status, pc)}  ${pc.dim(
      [runDuration(view, now), shortId(view.id)].filter(Boolean).join('  '),
    )}`,
  ];
  const width = Math.max(12, ...view.steps.map((s) => s.key.length));
  for (const step of view.steps) {
    const parts = [`  ${stepIcon(step, tick, pc)} ${step.key.padEnd(width)}`];
    const duration = stepDuration(step, now);
    if (step.status === 'running' && step.progress) {
      const words = step.progress.label || step.progress.phase;
      const phase = words ? `${words} ` : '';
      parts.push(`${phase}${step.progress.percent !== undefined ? pc.cyan(bar(step.progress.percent)) : ''}`);
    }
    if (duration) parts.push(pc.dim(duration));
    if (step.attempt > 1) parts.push(pc.dim(`attempt ${step.attempt}`));
    if (step.status === 'failed' && step.message) parts.push(pc.red(step.message));
    lines.push(parts.join('  '));
  }
  if (view.status === 'pending_approval')
    lines.push(pc.yellow(`  waiting for approval: dolly runs approve ${view.id}`));
  else if (!isTerminal(view.status) && view.lastMessage) lines.push(pc.dim(`  ${view.lastMessage}`));
  return lines.join('\n');
}

/**
 * Line-by-line progress for pipes and logs: one line per step transition, per progress phase and
 * per quarter of progress (not per tick, so CI logs stay readable).
 */
export function createPlainPrinter(pc: Colors, opts: { prefix: boolean }) {
  const lastProgress = new Map<string, string>();
  const lastStatus = new Map<string, string>();
  const pre = (view: RunView) => (opts.prefix ? pc.dim(`[${shortId(view.id)}] `) : '');
  return {
    /** Lines for an event already folded into `view`. */
    event(view: RunView, event: RunEvent): string[] {
      const p = pre(view);
      const step = event.stepKey ? view.steps.find((s) => s.key === event.stepKey) : undefined;
      const data = (event.data ?? {}) as { transition?: string; progress?: unknown };
      if (step && data.transition === 'running')
        return [
          `${p}${pc.cyan('→')} ${step.key} started${step.attempt > 1 ? ` (attempt ${step.attempt})` : ''}`,
        ];
      if (step && data.transition === 'succeeded')
        return [
          `${p}${pc.green('✔')} ${step.key} succeeded${step.durationMs !== undefined ? ` in ${formatDuration(step.durationMs)}` : ''}`,
        ];
      if (step && data.transition === 'failed')
        return [
          `${p}${pc.red('✖')} ${step.key} failed${step.durationMs !== undefined ? ` after ${formatDuration(step.durationMs)}` : ''}${step.message ? `: ${step.message}` : ''}`,
        ];
      if (step && data.progress && step.progress) {
        const bucket =
          step.progress.percent === undefined ? '' : String(Math.floor(step.progress.percent / 25) * 25);
        const key = `${step.progress.phase}|${bucket}`;
        const seen = `${view.id}|${step.key}`;
        if (lastProgress.get(seen) === key) return [];
        lastProgress.set(seen, key);
        const pct = step.progress.percent === undefined ? '' : ` ${Math.round(step.progress.percent)}%`;
        return [`${p}  ${step.key}: ${step.progress.label || step.progress.phase}${pct}`];
      }
      const text = step ? `${step.key}: ${event.message.replace(`${step.key}: `, '')}` : event.message;
      const paint = event.level === 'error' ? pc.red : event.level === 'warn' ? pc.yellow : (s: string) => s;
      return event.level === 'debug' ? [] : [`${p}  ${paint(text)}`];
    },
    /** A line when the run's status changed since the last call. */
    status(view: RunView): string[] {
      if (lastStatus.get(view.id) === view.status) return [];
      lastStatus.set(view.id, view.status);
      const lines = [`${pre(view)}${runName(view)}: ${statusText(view.status, pc)}`];
      if (view.status === 'pending_approval')
        lines.push(`${pre(view)}  waiting for approval: dolly runs approve ${view.id}`);
      return lines;
    },
  };
}

/** The closing line of a watch: outcome, duration, and what to do next when it did not succeed. */
export function summaryLines(view: RunView, pc: Colors): string[] {
  const duration =
    view.startedAt !== undefined && view.finishedAt !== undefined
      ? ` in ${formatDuration(view.finishedAt - view.startedAt)}`
      : '';
  const lines = [`${statusText(view.status, pc)}${duration}: ${runName(view)} ${pc.dim(`(run ${view.id})`)}`];
  const failedStep = view.steps.find((s) => s.status === 'failed');
  if (view.status === 'failed' || view.status === 'partially_succeeded') {
    if (failedStep) lines.push(`  ${failedStep.key}: ${failedStep.message ?? 'failed'}`);
    else if (view.error) lines.push(`  ${view.error}`);
    lines.push(pc.dim(`  resume: dolly runs retry ${view.id}   undo: dolly runs rollback ${view.id}`));
  } else if (view.status === 'cancelled') {
    lines.push(pc.dim(`  resume: dolly runs retry ${view.id}   undo: dolly runs rollback ${view.id}`));
  }
  return lines;
}
