import { type EgressPolicy, egressFetch } from '@dolly/contracts/egress';
import * as oidc from 'openid-client';

/**
 * The OIDC relying party of one tenant's configuration, on openid-client. Every request it makes
 * (discovery, JWKS, token, userinfo) goes to a host the tenant chose, so it goes through the
 * egress-checked fetch: internal addresses are refused at connect time unless the operator
 * allow-lists them, redirects are not followed, and answers are size-capped.
 */
export interface OidcClientSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
}

export async function discoverIssuer(settings: OidcClientSettings, egress: EgressPolicy) {
  const url = new URL(settings.issuerUrl);
  const config = await oidc.discovery(
    url,
    settings.clientId,
    undefined,
    oidc.ClientSecretBasic(settings.clientSecret),
    {
      [oidc.customFetch]: egressFetch(egress),
      // plain http reaches this point only for hosts the operator allow-listed (checked on save)
      ...(url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      timeout: 10,
    },
  );
  // Later requests (JWKS, token, userinfo) take the configuration's fetch, not discovery's.
  config[oidc.customFetch] = egressFetch(egress);
  return config;
}

/** What the browser's round trip to the identity provider must bring back unchanged. */
export interface SignInChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export async function authorizationUrl(
  config: oidc.Configuration,
  redirectUri: string,
  groupsClaim: string,
): Promise<{ url: URL; checks: SignInChecks }> {
  const checks = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    codeVerifier: oidc.randomPKCECodeVerifier(),
  };
  // Providers that hand out groups only for a scope of that name (Okta, Keycloak) list it.
  const supported = config.serverMetadata().scopes_supported ?? [];
  const scope = ['openid', 'email', 'profile', ...(supported.includes(groupsClaim) ? [groupsClaim] : [])];
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: scope.join(' '),
    state: checks.state,
    nonce: checks.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: 'S256',
  });
  return { url, checks };
}

/**
 * Trades the code for tokens, checking state, nonce and PKCE, and returns the person's claims:
 * the ID token's, completed from userinfo (many providers put groups and email only there).
 */
export async function completeSignIn(
  config: oidc.Configuration,
  callbackUrl: URL,
  checks: SignInChecks,
): Promise<Record<string, unknown> & { sub: string }> {
  const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    pkceCodeVerifier: checks.codeVerifier,
    idTokenExpected: true,
  });
  const idClaims = tokens.claims();
  if (!idClaims) throw new Error('the identity provider sent no ID token');
  let userinfo: Record<string, unknown> = {};
  if (config.serverMetadata().userinfo_endpoint && tokens.access_token)
    userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
  return { ...userinfo, ...idClaims, sub: idClaims.sub };
}

const OAUTH_ERROR_CODE = /^[\w.-]{1,64}$/;

/**
 * A failure in Dolly's words. What the identity provider served (an HTML page, an
 * error_description it wrote) never reaches the tenant: only a well-formed OAuth error code,
 * the HTTP status, or the egress refusal, which Dolly wrote itself.
 */
export function describeOidcFailure(error: unknown): string {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ((e as { code?: string }).code === 'EDOLLY_EGRESS') return e.message;
  }
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) {
    const code = OAUTH_ERROR_CODE.test(error.error) ? error.error : 'an error';
    return `the identity provider refused: ${code}`;
  }
  if (error instanceof oidc.ClientError) {
    const status = error.cause instanceof Response ? ` (HTTP ${error.cause.status})` : '';
    // a failed ID token check names its claim deep in the causes ({ claim: 'nonce', ... })
    const claim = claimOf(error);
    const which = typeof claim === 'string' && OAUTH_ERROR_CODE.test(claim) ? ` (claim "${claim}")` : '';
    // openid-client's own messages ("unexpected JWT "nonce" claim value") name the check that failed
    return `${error.message.split('\n')[0]?.slice(0, 200)}${which}${status}`;
  }
  if (error instanceof Error) return error.message.split('\n')[0]?.slice(0, 200) ?? 'failed';
  return 'the identity provider could not be reached';
}

function claimOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { claim, cause } = e as { claim?: unknown; cause?: unknown };
    if (typeof claim === 'string') return claim;
    e = cause;
  }
  return undefined;
}

/**
 * Where to send the browser so the provider ends its session too (RP-initiated logout), or
 * undefined when the provider does not offer it. Dolly keeps no ID token, so it names itself
 * with `client_id`, which the spec allows in place of `id_token_hint`.
 */
export function endSessionUrl(config: oidc.Configuration, postLogoutRedirectUri: string): URL | undefined {
  if (!config.serverMetadata().end_session_endpoint) return undefined;
  return oidc.buildEndSessionUrl(config, {
    client_id: config.clientMetadata().client_id,
    post_logout_redirect_uri: postLogoutRedirectUri,
  });
}
