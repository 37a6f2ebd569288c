import { describe, expect, it } from 'vitest';
import { parseFigures, percentile, reportFigures } from './bench-figures.ts';

describe('bench figures', () => {
  it('round-trips the figures line and keeps the other lines as text', () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      reportFigures({ sync_1000_s: 7.5, apply_20_ratio: 1.1 });
    } finally {
      console.log = log;
    }
    const out = parseFigures(['sync took 7.5 s', ...lines, 'done'].join('\n'));
    expect(out.figures).toEqual({ sync_1000_s: 7.5, apply_20_ratio: 1.1 });
    expect(out.text).toEqual(['sync took 7.5 s', 'done']);
  });

  it('refuses figures that are not finite numbers', () => {
    expect(() => parseFigures('BENCH_FIGURES {"a":"fast"}')).toThrow(/a is not a finite number/);
    expect(() => parseFigures('BENCH_FIGURES [1]')).toThrow(/JSON object/);
  });

  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
    expect(() => percentile([], 50)).toThrow();
  });
});
