/**
 * Label keys teams use to say which environment a cluster is in, in order of preference. The
 * inventory reads them; plans rewrite them so a copy of prod into dev is not labelled prod.
 */
export const ENVIRONMENT_LABELS = ['dolly.dev/environment', 'environment', 'env'] as const;

/** The environment a cluster's labels name, normalised (`production` → `prod`, `development` → `dev`). */
export function environmentFromLabels(labels: Record<string, string>): string | undefined {
  for (const key of ENVIRONMENT_LABELS) {
    const v = labels[key]?.trim().toLowerCase();
    if (v) return v === 'production' ? 'prod' : v === 'development' ? 'dev' : v;
  }
  return undefined;
}
