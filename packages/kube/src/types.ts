/** The shapes every stage of a migration shares: objects as JSON, references, change records. */
import type { ChangeRecord, MigrationWarning, ObjectRef } from '@dolly/contracts';

export type CloudId = 'aws' | 'azure' | 'gcp';
/**
 * Where a cluster of a migration runs: a cloud, or `kubernetes` (imported by kubeconfig: on-prem,
 * EKS Anywhere, k3s), whose storage classes, load balancers and identities Dolly cannot know, so
 * the rules rewrite nothing cloud-specific into or out of it without an explicit mapping.
 */
export type ClusterCloud = CloudId | 'kubernetes';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  [key: string]: unknown;
}

/**
 * A Kubernetes object exactly as the API server sent it (raw JSON, not a typed client model): typed
 * models drop fields they do not know and turn timestamps into Dates, which would make exported
 * manifests unfaithful and diffs noisy.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

// One schema per boundary: references, change records and warnings are the contracts' types.
export type { ChangeRecord, MigrationWarning, ObjectRef };

/** `group/Kind/namespace/name` (core group empty): stable key for maps, results and logs. */
export function refKey(r: ObjectRef | KubeObject): string {
  const ref = 'metadata' in r ? toRef(r) : r;
  return `${groupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

export function toRef(o: KubeObject): ObjectRef {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata.name ?? '',
  };
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

export function describeRef(r: ObjectRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

/** Where a cluster is, as the transform rules need it: its cloud and names for identity trust. */
export interface ClusterInfo {
  cloud: ClusterCloud;
  name: string;
  /** aws account id, azure subscription(/resource group), gcp project */
  scope?: string;
  location?: string;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asObject(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

export function asArray(v: unknown): JsonValue[] {
  return Array.isArray(v) ? (v as JsonValue[]) : [];
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

export function isKubeObject(v: unknown): v is KubeObject {
  return (
    isObject(v) && typeof v.apiVersion === 'string' && typeof v.kind === 'string' && isObject(v.metadata)
  );
}
