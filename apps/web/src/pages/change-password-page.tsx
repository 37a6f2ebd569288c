import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { dolly, problemMessage, unwrap } from '../lib/api-client.ts';

/**
 * Choosing a new password: forced after signing in with a one-time password (the API answers
 * nothing else until then), and reachable from the header at any other time.
 */
export function ChangePasswordForm({ forced }: { forced: boolean }) {
  const client = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    if (next !== repeat) {
      setError('The two new passwords differ');
      return;
    }
    setBusy(true);
    try {
      await unwrap(
        dolly.POST('/api/v1/auth/password', { body: { currentPassword: current, newPassword: next } }),
      );
      setDone(true);
      setCurrent('');
      setNext('');
      setRepeat('');
      await client.invalidateQueries({ queryKey: ['session'] });
    } catch (e) {
      setError(problemMessage(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="card" aria-labelledby="password-title">
      <h1 id="password-title">{forced ? 'Choose your own password' : 'Change password'}</h1>
      {forced && <p className="muted">You signed in with a one-time password. Choose your own to go on.</p>}
      <label>
        {forced ? 'One-time password' : 'Current password'}
        <input
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          required
        />
      </label>
      <label>
        New password (at least 12 characters)
        <input
          type="password"
          autoComplete="new-password"
          minLength={12}
          value={next}
          onChange={(e) => setNext(e.target.value)}
          required
        />
      </label>
      <label>
        New password again
        <input
          type="password"
          autoComplete="new-password"
          minLength={12}
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          required
        />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {done && !forced && <p role="status">Password changed; your other sessions were signed out.</p>}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save password'}
      </button>
    </form>
  );
}

export function ForcedPasswordChangePage() {
  return (
    <main className="login">
      <ChangePasswordForm forced />
    </main>
  );
}
