import { describe, expect, it } from 'vitest';
import { cronProblem, nextRunAt, recipeSpecSchema, timezoneProblem } from './recipe.ts';

describe('recipe schedules', () => {
  it('takes five-field cron only, and says why not', () => {
    expect(cronProblem('0 2 * * *')).toBeNull();
    expect(cronProblem('*/15 8-18 * * 1-5')).toBeNull();
    expect(cronProblem('* * * * * *')).toMatch(/five-field cron .* not 6 field/);
    expect(cronProblem('0 25 * * *')).toMatch(/not a cron expression/);
  });

  it('takes IANA time zones only', () => {
    expect(timezoneProblem('Europe/Berlin')).toBeNull();
    expect(timezoneProblem('UTC')).toBeNull();
    expect(timezoneProblem('Mars/Olympus_Mons')).toMatch(/not an IANA time zone/);
  });

  it('finds the next run in the recipe time zone', () => {
    const after = new Date('2026-12-07T12:00:00Z');
    // 02:00 in Berlin is 01:00 UTC in winter, 00:00 UTC in summer
    expect(nextRunAt('0 2 * * *', 'Europe/Berlin', after)?.toISOString()).toBe('2026-12-08T01:00:00.000Z');
    expect(nextRunAt('0 2 * * *', 'Europe/Berlin', new Date('2026-07-07T12:00:00Z'))?.toISOString()).toBe(
      '2026-07-08T00:00:00.000Z',
    );
    expect(nextRunAt(null, 'UTC', after)).toBeNull();
  });

  it('keeps the migration options of the spec, with their defaults', () => {
    const spec = recipeSpecSchema.parse({ workloads: { namespaces: ['shop'] } });
    expect(spec.workloads).toEqual(expect.objectContaining({ namespaces: ['shop'], existing: 'skip' }));
    expect(recipeSpecSchema.safeParse({ workloads: { namespaces: [] } }).success).toBe(false);
    expect(recipeSpecSchema.safeParse({ workloads: { namespaces: ['a'], cutover: true } }).success).toBe(
      false,
    );
  });
});
