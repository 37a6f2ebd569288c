/**
 * EC2 of a sandbox AWS account, as the operator's own tooling would use it; re-exported for the API's
 * tests, which reach the SDK through this package (it is a dependency here, not there).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import type { SandboxAccountInfo } from './sandbox';

export {
  CreateSubnetCommand,
  DescribeInternetGatewaysCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';

export function ec2Of(a: SandboxAccountInfo, region: string): EC2Client {
  return new EC2Client({
    region,
    endpoint: a.endpoints.ec2,
    credentials: {
      accessKeyId: String(a.credentials.accessKeyId),
      secretAccessKey: String(a.credentials.secretAccessKey),
    },
  });
}
