import { credentialKindLabel } from './credential-kinds.ts';

/** All the API ever says about a credential: its kind. The secret stays sealed on the server. */
export function CredentialsStored({ kind }: { kind: string }) {
  return (
    <span className="st-stack">
      <span>{credentialKindLabel(kind)}</span>
      <span className="st-small muted" data-testid="credentials-stored">
        stored, encrypted
      </span>
    </span>
  );
}
