import { describe, expect, it } from 'vitest';
import { preflightLines } from './preflight';

const at = '2026-12-07T09:00:00Z';

describe('preflightLines', () => {
  it('says when nothing is missing, and when nothing was recorded', () => {
    expect(preflightLines({ checkedAt: at, account: 'Prod AWS', findings: [] })).toEqual([
      'Preflight: Prod AWS has what the plan needs',
    ]);
    expect(preflightLines(undefined)).toEqual(['Preflight: not recorded with this plan']);
  });

  it('lists every finding with its fix and counts the blockers', () => {
    const lines = preflightLines({
      checkedAt: at,
      account: 'Fresh',
      findings: [
        { target: 'shop', check: 'aws.cluster-role', severity: 'blocker', message: 'no role', fix: 'add it' },
        { target: 'shop', check: 'x', severity: 'warning', message: 'low quota', fix: 'ask AWS' },
      ],
    });
    expect(lines[0]).toBe(
      'Preflight: Fresh lacks 2 thing(s); apply refuses until the 1 blocker(s) are fixed:',
    );
    expect(lines.slice(1)).toEqual([
      '  blocker shop: no role',
      '    fix: add it',
      '  warning shop: low quota',
      '    fix: ask AWS',
    ]);
  });

  it('says why the account could not be checked', () => {
    expect(preflightLines({ checkedAt: at, findings: [], reason: 'DescribeSubnets: throttled' })).toEqual([
      'Preflight: the target account could not be checked (DescribeSubnets: throttled)',
    ]);
  });
});
