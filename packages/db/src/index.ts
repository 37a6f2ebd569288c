export { createDatabase, pingDatabase, type Database } from './client.ts';
export { isDatabaseUnavailable } from './unavailable.ts';
export * from './generated/prisma/enums.ts';
export { Prisma } from './generated/prisma/client.ts';
export type {
  ApiTokenModel as ApiToken,
  AuditEntryModel as AuditEntry,
  ClonePolicyModel as ClonePolicy,
  CloudAccountModel as CloudAccount,
  ClusterModel as Cluster,
  DriftReportModel as DriftReport,
  EnvironmentRecipeModel as EnvironmentRecipe,
  MembershipModel as Membership,
  NodePoolModel as NodePool,
  PlanModel as Plan,
  RunModel as Run,
  RunEventModel as RunEvent,
  RunResourceModel as RunResource,
  RunStepModel as RunStep,
  SessionModel as Session,
  SsoConfigModel as SsoConfig,
  TenantModel as Tenant,
  UserModel as User,
  WebhookDeliveryModel as WebhookDelivery,
  WebhookModel as Webhook,
} from './generated/prisma/models.ts';
export * from './credential-vault.ts';
export * from './reseal.ts';
