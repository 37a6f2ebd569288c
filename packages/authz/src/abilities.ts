import { AbilityBuilder, createMongoAbility, type MongoAbility } from '@casl/ability';
import type { Role } from './roles.ts';

export type Action =
  | 'read'
  | 'create'
  | 'update'
  | 'delete'
  | 'clone'
  | 'migrate'
  | 'cancel'
  | 'retry'
  | 'approve'
  | 'manage';
export type Subject =
  | 'Cluster'
  | 'CloudAccount'
  | 'Plan'
  | 'Run'
  | 'Member'
  | 'ApiToken'
  | 'ClonePolicy'
  | 'AuditLog'
  | 'Tenant'
  | 'Webhook'
  | 'SsoConfig'
  | 'Recipe'
  | 'all';

export type AppAbility = MongoAbility<[Action, Subject]>;

/**
 * What each role may do inside its tenant. Environment-level rules (who may write into prod)
 * are clone policies, evaluated separately with the source and target in hand.
 */
export function defineAbilitiesFor(role: Role): AppAbility {
  const { can, cannot, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  can('read', ['Cluster', 'CloudAccount', 'Plan', 'Run', 'Tenant', 'ClonePolicy', 'Recipe']);
  if (role === 'viewer') return build();

  // developer: self-service clones and migrations under policy, their own runs
  can(['create', 'update'], 'Plan');
  can(['clone', 'migrate'], 'Cluster');
  can(['create', 'cancel', 'retry'], 'Run');
  can('create', 'ApiToken');
  if (role === 'developer') return build();

  // operator: runs the fleet: sync, approve, rollback, kubeconfigs
  can(['approve', 'delete'], 'Run');
  can('update', 'Cluster');
  can('read', 'Member');
  // environment recipes: refreshes that run unattended on a schedule, under their owner's role
  can(['create', 'update', 'delete'], 'Recipe');
  if (role === 'operator') return build();

  // admin: the tenant's settings
  can('manage', ['CloudAccount', 'Member', 'ApiToken', 'ClonePolicy', 'Webhook', 'SsoConfig']);
  can('read', 'AuditLog');
  if (role === 'admin') {
    cannot('delete', 'Tenant');
    return build();
  }

  can('manage', 'all');
  return build();
}
