import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { dolly, problemMessage, unwrap } from '../lib/api-client.ts';

/**
 * Single sign-on on the sign-in page. A tenant's people arrive with `?tenant=<slug>` (the link
 * Settings → Single sign-on shows) or type the tenant's short name; Dolly then offers
 * "Sign in with <provider>", a plain link so the browser itself goes to the identity provider.
 */
export function SsoSignIn() {
  const params = new URLSearchParams(window.location.search);
  const [tenant, setTenant] = useState(params.get('tenant') ?? '');
  const [asked, setAsked] = useState(params.get('tenant') ?? '');
  const returnedError = params.get('sso_error');
  const option = useQuery({
    queryKey: ['sso-option', asked],
    enabled: Boolean(asked),
    retry: false,
    queryFn: () => unwrap(dolly.GET('/api/v1/auth/sso/{tenant}', { params: { path: { tenant: asked } } })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAsked(tenant.trim());
  };
  return (
    <section className="card" aria-labelledby="sso-title">
      <h2 id="sso-title">Single sign-on</h2>
      {returnedError && (
        <p role="alert" className="error">
          {returnedError}
        </p>
      )}
      {option.data ? (
        <>
          <a className="button" href={option.data.startUrl}>
            Sign in with {option.data.displayName}
          </a>
          {option.data.passwordSignInDisabled && (
            <p className="muted">
              Tenant {option.data.tenant} signs in with {option.data.displayName} only.
            </p>
          )}
        </>
      ) : (
        <form onSubmit={submit} aria-label="Find your tenant's single sign-on">
          <label>
            Tenant
            <input
              value={tenant}
              onChange={(e) => setTenant(e.target.value)}
              placeholder="e.g. acme"
              required
            />
          </label>
          {option.error && (
            <p role="alert" className="error">
              {problemMessage(option.error)}
            </p>
          )}
          <button type="submit" className="secondary" disabled={option.isFetching}>
            Continue
          </button>
        </form>
      )}
    </section>
  );
}
