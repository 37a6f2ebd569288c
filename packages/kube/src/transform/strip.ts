/**
 * Strip rules: fields the source cluster assigned (identity, versions, status, allocations, node
 * bindings). Copying them would fail validation or, worse, pin the object to the source.
 */
import { asArray, asObject, asString, isObject, type KubeObject } from '../types.ts';
import { Edit, podMetaPath, podSpecPaths, type RuleResult, type TransformRule } from './rule.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Server-set metadata, status and the client-side apply record. */
export const stripServerFields: TransformRule = (obj) => withoutServerFields(obj);

/** stripServerFields without a migration context (the dry run's diff uses it on live objects). */
export function withoutServerFields(obj: KubeObject): RuleResult {
  const e = new Edit('stripServerFields', obj);
  for (const f of [
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'selfLink',
    'managedFields',
  ])
    e.remove(['metadata', f]);
  e.remove(['status']);
  e.remove(['metadata', 'annotations', LAST_APPLIED]);
  // Controller bookkeeping the target's controllers write again.
  e.remove(['metadata', 'annotations', 'deployment.kubernetes.io/revision']);
  if (obj.kind === 'Namespace')
    e.remove(['metadata', 'labels', 'kubernetes.io/metadata.name'], 'set by the API server');
  return e.result();
}

/** Owner references name source uids; the target's garbage collector would delete the object at once. */
export const stripOwnerReferences: TransformRule = (obj) => {
  const e = new Edit('stripOwnerReferences', obj);
  e.remove(['metadata', 'ownerReferences'], 'owners have new uids in the target');
  return e.result();
};

const CONTROLLER_UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

/** Job selectors and labels that carry the source Job's uid. */
export const stripControllerLabels: TransformRule = (obj) => {
  const e = new Edit('stripControllerLabels', obj);
  for (const l of CONTROLLER_UID_LABELS) e.remove(['metadata', 'labels', l]);
  // A Job's pod labels are derived from its uid and name; the API server writes them again.
  const templateLabels =
    obj.kind === 'Job'
      ? [...CONTROLLER_UID_LABELS, 'job-name', 'batch.kubernetes.io/job-name']
      : CONTROLLER_UID_LABELS;
  for (const spec of podSpecPaths(obj))
    for (const l of templateLabels) e.remove([...podMetaPath(spec), 'labels', l]);
  if (obj.kind === 'Job' && asObject(obj.spec).manualSelector !== true) {
    const sel = asObject(asObject(asObject(obj.spec).selector).matchLabels);
    if (CONTROLLER_UID_LABELS.some((l) => l in sel))
      e.remove(['spec', 'selector'], 'the API server sets a new one');
  }
  return e.result();
};

/** nodePorts the user asked for (in the last-applied record); the rest were allocated. */
function requestedNodePorts(obj: KubeObject): Set<number> {
  const raw = obj.metadata.annotations?.[LAST_APPLIED];
  if (!raw) return new Set();
  try {
    const last = JSON.parse(raw) as unknown;
    return new Set(
      asArray(asObject(asObject(last).spec).ports)
        .map((p) => asObject(p).nodePort)
        .filter((n): n is number => typeof n === 'number'),
    );
  } catch {
    return new Set();
  }
}

/** Service addresses and ports the source allocated (Velero keeps requested nodePorts the same way). */
export const stripServiceAllocations: TransformRule = (obj) => {
  if (obj.kind !== 'Service') return { object: obj, changes: [], warnings: [] };
  const e = new Edit('stripServiceAllocations', obj);
  const spec = asObject(obj.spec);
  if (spec.clusterIP !== 'None') {
    e.remove(['spec', 'clusterIP'], 'allocated by the source');
    e.remove(['spec', 'clusterIPs']);
  } else if (asArray(spec.clusterIPs).some((ip) => ip !== 'None')) e.remove(['spec', 'clusterIPs']);
  const keep = requestedNodePorts(obj);
  asArray(spec.ports).forEach((p, i) => {
    const port = asObject(p).nodePort;
    if (typeof port === 'number' && !keep.has(port))
      e.remove(['spec', 'ports', i, 'nodePort'], 'auto-assigned');
  });
  e.remove(['spec', 'healthCheckNodePort']);
  e.remove(['spec', 'externalIPs'], 'addresses of the source network');
  if (e.remove(['spec', 'loadBalancerIP'], 'an address of the source cloud'))
    e.warn(
      `Service ${obj.metadata.name} asked for load balancer address ${asString(spec.loadBalancerIP)}; the target assigns a new one`,
      'update DNS records once the target load balancer has an address',
    );
  return e.result();
};

/** A bare Pod bound to a source node. */
export const stripPodNodeName: TransformRule = (obj) => {
  if (obj.kind !== 'Pod') return { object: obj, changes: [], warnings: [] };
  const e = new Edit('stripPodNodeName', obj);
  e.remove(['spec', 'nodeName'], 'a node of the source cluster');
  return e.result();
};

const PVC_BINDING_ANNOTATIONS = [
  'pv.kubernetes.io/bind-completed',
  'pv.kubernetes.io/bound-by-controller',
  'volume.kubernetes.io/selected-node',
  'volume.beta.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/storage-provisioner',
  'pv.kubernetes.io/provisioned-by',
  'pv.kubernetes.io/migrated-to',
];

/** A claim's binding to a source volume: the target provisions and binds a new one. */
export const stripPvcBinding: TransformRule = (obj) => {
  if (obj.kind !== 'PersistentVolumeClaim') return { object: obj, changes: [], warnings: [] };
  const e = new Edit('stripPvcBinding', obj);
  e.remove(['spec', 'volumeName'], 'a volume of the source cluster');
  for (const a of PVC_BINDING_ANNOTATIONS) e.remove(['metadata', 'annotations', a]);
  for (const f of ['dataSource', 'dataSourceRef'] as const) {
    const ds = asObject(asObject(obj.spec)[f]);
    if (isObject(ds) && Object.keys(ds).length && e.remove(['spec', f]))
      e.warn(
        `PersistentVolumeClaim ${obj.metadata.name} was populated from ${asString(ds.kind) ?? 'a data source'} ${asString(ds.name) ?? ''}, which stays in the source`,
      );
  }
  return e.result();
};
