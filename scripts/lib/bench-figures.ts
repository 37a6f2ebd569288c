/**
 * The line a benchmark prints so `pnpm bench --json` can collect its named figures without
 * scraping the human-readable output. One line per call; names must be unique across benchmarks.
 */
export const FIGURES_PREFIX = 'BENCH_FIGURES ';

export type Figures = Record<string, number>;

export function reportFigures(figures: Figures): void {
  console.log(`${FIGURES_PREFIX}${JSON.stringify(figures)}`);
}

/** The figures in a benchmark's stdout; other lines are its report for people. */
export function parseFigures(stdout: string): { figures: Figures; text: string[] } {
  const figures: Figures = {};
  const text: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(FIGURES_PREFIX)) {
      text.push(line);
      continue;
    }
    const parsed: unknown = JSON.parse(line.slice(FIGURES_PREFIX.length));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error(`benchmark figures must be a JSON object: ${line}`);
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new Error(`benchmark figure ${name} is not a finite number: ${String(value)}`);
      figures[name] = value;
    }
  }
  return { figures, text };
}

/** p-th percentile (0–100) of the samples, nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
