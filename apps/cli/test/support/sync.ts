import { expect } from 'vitest';
import type { CliStack } from './stack.ts';

/**
 * The sandbox accounts as an operator syncs them (developers cannot). Only the demo's sandbox
 * accounts: other suites leave accounts with fake credentials in the shared test database.
 */
export async function syncSandbox(s: CliStack, accounts = ['Sandbox AWS', 'Sandbox Azure']): Promise<void> {
  const r = await s.dolly(['sync', ...accounts.flatMap((a) => ['--account', a]), '--watch'], {
    env: { DOLLY_TOKEN: s.tokens.operator },
  });
  expect(r.code, r.stderr).toBe(0);
}

/** A suffix no earlier run of the suite used, for cluster names created in the sandbox. */
export const uniqueSuffix = (): string => `-${Date.now().toString(36).slice(-5)}`;
