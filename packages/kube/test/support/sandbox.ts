/**
 * The sandbox clouds in-process for the kube integration tests: the providers' test sandbox plus
 * kubeconfigs of the demo fleet's clusters, issued by the providers exactly as the worker gets them,
 * so the credential path under test is the real one.
 */
import { type CloudAccountConfig, type CloudId, createProvider } from '../../../providers/src/index.ts';
import {
  type TestSandbox as BaseSandbox,
  DEMO,
  type SandboxAccountInfo,
  awsAccount,
  azureAccount,
  gcpAccount,
  startTestSandbox as startBaseSandbox,
} from '../../../providers/test/support/sandbox.ts';

export { DEMO, type SandboxAccountInfo };

export interface TestSandbox extends BaseSandbox {
  /** kubeconfig of a demo fleet cluster, issued by the cloud's provider */
  kubeconfig(cloud: CloudId, which: 'prod' | 'dev'): Promise<string>;
}

/** Where the demo fleet's shop clusters live (apps/sandbox/src/demo-fleet.ts). */
export const FLEET: Record<
  CloudId,
  Record<'prod' | 'dev', { account: string; scope: string; location: string; cluster: string }>
> = {
  aws: {
    prod: { account: DEMO.aws, scope: DEMO.aws, location: 'us-east-1', cluster: 'shop-prod' },
    dev: { account: DEMO.aws, scope: DEMO.aws, location: 'us-west-2', cluster: 'shop-dev' },
  },
  azure: {
    prod: {
      account: DEMO.azure,
      scope: `${DEMO.azure}/dolly-demo`,
      location: 'westeurope',
      cluster: 'shop-prod',
    },
    dev: {
      account: DEMO.azure,
      scope: `${DEMO.azure}/dolly-demo`,
      location: 'westeurope',
      cluster: 'shop-dev',
    },
  },
  gcp: {
    prod: { account: DEMO.gcpProd, scope: DEMO.gcpProd, location: 'us-central1', cluster: 'shop-prod' },
    dev: { account: DEMO.gcpDev, scope: DEMO.gcpDev, location: 'us-central1-a', cluster: 'shop-dev' },
  },
};

/** A Dolly cloud account for a sandbox account, exactly as a user would enter it. */
export function accountConfig(a: SandboxAccountInfo): CloudAccountConfig {
  return a.cloud === 'aws' ? awsAccount(a) : a.cloud === 'azure' ? azureAccount(a) : gcpAccount(a);
}

export async function startTestSandbox(
  opts: Parameters<typeof startBaseSandbox>[0] = {},
): Promise<TestSandbox> {
  const base = await startBaseSandbox(opts);
  return {
    ...base,
    async kubeconfig(cloud, which) {
      const f = FLEET[cloud][which];
      const provider = createProvider(accountConfig(base.account(cloud, f.account)));
      return provider.kubeconfig({ scope: f.scope, location: f.location, cluster: f.cluster });
    },
  };
}
