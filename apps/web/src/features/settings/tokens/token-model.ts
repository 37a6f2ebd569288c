import type { components } from '@dolly/api-client';

export type ApiToken = components['schemas']['ApiToken'];
export type TokenState = 'active' | 'expired' | 'revoked';

export function tokenState(token: ApiToken, now: Date = new Date()): TokenState {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && new Date(token.expiresAt) <= now) return 'expired';
  return 'active';
}

/** Expiry choices offered when creating a token; `custom` lets the user type a number of days. */
export const expiryOptions = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
  { value: 'custom', label: 'Custom…' },
] as const;
export type ExpiryChoice = (typeof expiryOptions)[number]['value'];

/** `expiresInDays` for the API (1–3650, absent = never), or the reason the choice is invalid. */
export function expiresInDays(
  choice: ExpiryChoice,
  customDays: string,
): { ok: true; days: number | undefined } | { ok: false; error: string } {
  if (choice === 'never') return { ok: true, days: undefined };
  const text = choice === 'custom' ? customDays.trim() : choice;
  const days = Number(text);
  if (!/^\d+$/.test(text) || days < 1 || days > 3650)
    return { ok: false, error: 'Enter a whole number of days from 1 to 3650' };
  return { ok: true, days };
}
