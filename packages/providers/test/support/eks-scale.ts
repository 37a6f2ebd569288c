import { EKSClient, UpdateNodegroupConfigCommand } from '@aws-sdk/client-eks';

/** A sandbox AWS account as GET /_sandbox/accounts lists it. */
export interface SandboxAwsAccount {
  endpoints: Record<string, string>;
  credentials: Record<string, unknown>;
}

/**
 * Scales a node group the way a person would behind Dolly's back: through the EKS API itself
 * (the official SDK against the sandbox's endpoint), not through Dolly. For drift tests.
 */
export async function scaleEksNodegroup(
  a: SandboxAwsAccount,
  where: { region: string; cluster: string; nodegroup: string },
  scaling: { minSize: number; maxSize: number; desiredSize: number },
): Promise<void> {
  const eks = new EKSClient({
    region: where.region,
    endpoint: a.endpoints.eks,
    credentials: a.credentials as { accessKeyId: string; secretAccessKey: string },
  });
  try {
    await eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: where.cluster,
        nodegroupName: where.nodegroup,
        scalingConfig: scaling,
      }),
    );
  } finally {
    eks.destroy();
  }
}
