import type { RunStatus } from '@dolly/contracts';
import { describe, expect, it } from 'vitest';
import { colors } from '../output/colors.ts';
import { combinedExitCode, statusExitCode, statusText } from './outcome.ts';

describe('exit codes', () => {
  it.each([
    ['succeeded', 0],
    ['failed', 1],
    ['cancelled', 2],
    ['rejected', 2],
    ['rolled_back', 2],
    ['partially_succeeded', 3],
    ['running', 1],
  ] as [RunStatus, number][])('%s exits %i', (status, code) => {
    expect(statusExitCode(status)).toBe(code);
  });

  it.each([
    [['succeeded', 'succeeded'], 0],
    [['succeeded', 'failed'], 3],
    [['partially_succeeded', 'failed'], 3],
    [['failed', 'cancelled'], 1],
    [['cancelled', 'rejected'], 2],
    [['cancelled'], 2],
    [[], 0],
  ] as [RunStatus[], number][])('runs %j exit %i', (statuses, code) => {
    expect(combinedExitCode(statuses)).toBe(code);
  });

  it('labels a status in words, not colour alone', () => {
    expect(statusText('partially_succeeded', colors(false))).toBe('! Partially succeeded');
    expect(statusText('succeeded', colors(false))).toBe('✔ Succeeded');
  });
});
