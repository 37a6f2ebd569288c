import { describe, expect, it } from 'vitest';
import { latestRun, parseCron } from './cron.ts';

describe('cron', () => {
  it('parses and finds the latest run', () => {
    const s = parseCron('*/15 2 * * *')!;
    const base = Date.UTC(2026, 0, 1, 0, 0);
    expect(latestRun(s, base, Date.UTC(2026, 0, 1, 2, 40))).toBe(Date.UTC(2026, 0, 1, 2, 30));
    expect(latestRun(s, base, Date.UTC(2026, 0, 1, 1, 59))).toBeUndefined();
    expect(parseCron('@hourly')!.matches(Date.UTC(2026, 0, 1, 5, 0))).toBe(true);
    expect(parseCron('bad')).toBeUndefined();
  });
});
