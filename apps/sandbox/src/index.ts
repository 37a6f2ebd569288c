/** @dolly/sandbox: the sandbox clouds (see /work/shared/design/sandbox.md). */
export { createAwsModule } from './aws/index.ts';
export { awsClusterId, credentialsFor, presignGetCallerIdentity } from './aws/index.ts';
export { loadConfig, type SandboxConfig } from './config.ts';
export type * from './context.ts';
export { DEMO_FLEET, type FleetAccount, seedDemoFleet } from './demo-fleet.ts';
export { NullKubeHub } from './null-hub.ts';
export {
  defaultClusterId,
  type KubeHubFactoryOptions,
  type RunningSandbox,
  type StartSandboxOptions,
  sandboxAdminToken,
  startSandbox,
} from './server.ts';
export { loadSandboxParts, type SandboxParts } from './parts.ts';
