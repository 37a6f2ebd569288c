const clouds = {
  aws: { label: 'AWS', service: 'EKS' },
  azure: { label: 'Azure', service: 'AKS' },
  gcp: { label: 'Google Cloud', service: 'GKE' },
  // a cluster registered by kubeconfig (on-prem, EKS Anywhere, k3s): migrations only, never clones
  kubernetes: { label: 'Kubernetes (imported)', service: 'cluster imported by kubeconfig' },
} as const;
export type CloudId = keyof typeof clouds;

export function cloudLabel(cloud: CloudId) {
  return clouds[cloud].label;
}

/** The cloud by name and service, never by logo colour alone. */
export function CloudBadge({ cloud }: { cloud: CloudId }) {
  return (
    <span className={`cloud cloud-${cloud}`} title={`${clouds[cloud].label} ${clouds[cloud].service}`}>
      {clouds[cloud].label}
    </span>
  );
}

/** Environment tag; prod is marked with an icon as well as a colour. */
export function EnvBadge({ env }: { env: string | null | undefined }) {
  if (!env) return <span className="muted">—</span>;
  const isProd = env === 'prod';
  return (
    <span className={`env ${isProd ? 'env-prod' : ''}`} data-env={env}>
      {isProd && <span aria-hidden="true">▲ </span>}
      {env}
    </span>
  );
}
