/** Server-side printing (meta.k8s.io/v1 Table) for kubectl get. */
import { asArray, asObject, asString, dig, isObject, type JsonObject, type KubeObject } from './types.ts';

export function age(created: string | undefined, nowMs: number): string {
  const t = Date.parse(created ?? '');
  if (!t) return '<unknown>';
  const s = Math.max(0, Math.floor((nowMs - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

type Col = [name: string, type: string, get: (o: KubeObject) => unknown, priority?: number];

function conds(o: KubeObject): JsonObject[] {
  return asArray(dig(o, 'status', 'conditions')).map(asObject);
}

function columns(kind: string, nowMs: number): Col[] {
  const ageCol: Col = ['Age', 'string', (o) => age(o.metadata.creationTimestamp, nowMs)];
  const nameCol: Col = ['Name', 'string', (o) => o.metadata.name ?? ''];
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  switch (kind) {
    case 'Pod':
      return [
        nameCol,
        [
          'Ready',
          'string',
          (o) => {
            const cs = asArray(dig(o, 'status', 'containerStatuses')).map(asObject);
            return `${cs.filter((c) => c.ready === true).length}/${asArray(dig(o, 'spec', 'containers')).length}`;
          },
        ],
        [
          'Status',
          'string',
          (o) => {
            const cs = asArray(dig(o, 'status', 'containerStatuses')).map(asObject);
            const waiting = cs.map((c) => asString(dig(c, 'state', 'waiting', 'reason'))).find((x) => x);
            if (o.metadata.deletionTimestamp) return 'Terminating';
            if (asString(dig(o, 'status', 'phase')) === 'Succeeded') return 'Completed';
            return waiting ?? asString(dig(o, 'status', 'phase')) ?? 'Pending';
          },
        ],
        ['Restarts', 'string', () => '0'],
        ageCol,
        ['IP', 'string', (o) => asString(dig(o, 'status', 'podIP')) ?? '<none>', 1],
        ['Node', 'string', (o) => asString(dig(o, 'spec', 'nodeName')) ?? '<none>', 1],
      ];
    case 'Deployment':
      return [
        nameCol,
        [
          'Ready',
          'string',
          (o) => `${n(dig(o, 'status', 'readyReplicas'))}/${n(dig(o, 'spec', 'replicas'))}`,
        ],
        ['Up-to-date', 'integer', (o) => n(dig(o, 'status', 'updatedReplicas'))],
        ['Available', 'integer', (o) => n(dig(o, 'status', 'availableReplicas'))],
        ageCol,
      ];
    case 'StatefulSet':
      return [
        nameCol,
        [
          'Ready',
          'string',
          (o) => `${n(dig(o, 'status', 'readyReplicas'))}/${n(dig(o, 'spec', 'replicas'))}`,
        ],
        ageCol,
      ];
    case 'ReplicaSet':
      return [
        nameCol,
        ['Desired', 'integer', (o) => n(dig(o, 'spec', 'replicas'))],
        ['Current', 'integer', (o) => n(dig(o, 'status', 'replicas'))],
        ['Ready', 'integer', (o) => n(dig(o, 'status', 'readyReplicas'))],
        ageCol,
      ];
    case 'DaemonSet':
      return [
        nameCol,
        ['Desired', 'integer', (o) => n(dig(o, 'status', 'desiredNumberScheduled'))],
        ['Current', 'integer', (o) => n(dig(o, 'status', 'currentNumberScheduled'))],
        ['Ready', 'integer', (o) => n(dig(o, 'status', 'numberReady'))],
        ageCol,
      ];
    case 'Node':
      return [
        nameCol,
        [
          'Status',
          'string',
          (o) => (conds(o).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'NotReady'),
        ],
        ['Roles', 'string', () => '<none>'],
        ageCol,
        ['Version', 'string', (o) => asString(dig(o, 'status', 'nodeInfo', 'kubeletVersion')) ?? ''],
      ];
    case 'Service':
      return [
        nameCol,
        ['Type', 'string', (o) => asString(dig(o, 'spec', 'type')) ?? 'ClusterIP'],
        ['Cluster-IP', 'string', (o) => asString(dig(o, 'spec', 'clusterIP')) ?? '<none>'],
        [
          'External-IP',
          'string',
          (o) => {
            const ing = asArray(dig(o, 'status', 'loadBalancer', 'ingress')).map(asObject);
            if (ing.length) return ing.map((i) => i.ip ?? i.hostname).join(',');
            return dig(o, 'spec', 'type') === 'LoadBalancer' ? '<pending>' : '<none>';
          },
        ],
        [
          'Port(s)',
          'string',
          (o) =>
            asArray(dig(o, 'spec', 'ports'))
              .map(asObject)
              .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
              .join(',') || '<none>',
        ],
        ageCol,
      ];
    case 'PersistentVolumeClaim':
      return [
        nameCol,
        ['Status', 'string', (o) => asString(dig(o, 'status', 'phase')) ?? ''],
        ['Volume', 'string', (o) => asString(dig(o, 'spec', 'volumeName')) ?? ''],
        ['Capacity', 'string', (o) => asString(dig(o, 'status', 'capacity', 'storage')) ?? ''],
        [
          'Access Modes',
          'string',
          (o) =>
            asArray(dig(o, 'status', 'accessModes'))
              .map((m) => (m === 'ReadWriteOnce' ? 'RWO' : String(m)))
              .join(','),
        ],
        ['StorageClass', 'string', (o) => asString(dig(o, 'spec', 'storageClassName')) ?? '<unset>'],
        ageCol,
      ];
    case 'Namespace':
      return [nameCol, ['Status', 'string', (o) => asString(dig(o, 'status', 'phase')) ?? 'Active'], ageCol];
    case 'Job':
      return [
        nameCol,
        [
          'Status',
          'string',
          (o) =>
            conds(o).some((c) => c.type === 'Complete' && c.status === 'True') ? 'Complete' : 'Running',
        ],
        [
          'Completions',
          'string',
          (o) => `${n(dig(o, 'status', 'succeeded'))}/${n(dig(o, 'spec', 'completions')) || 1}`,
        ],
        ageCol,
      ];
    case 'CronJob':
      return [
        nameCol,
        ['Schedule', 'string', (o) => asString(dig(o, 'spec', 'schedule')) ?? ''],
        ['Suspend', 'string', (o) => String(dig(o, 'spec', 'suspend') === true)],
        ['Active', 'integer', (o) => asArray(dig(o, 'status', 'active')).length],
        ageCol,
      ];
    case 'StorageClass':
      return [
        [
          'Name',
          'string',
          (o) =>
            `${o.metadata.name}${o.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ? ' (default)' : ''}`,
        ],
        ['Provisioner', 'string', (o) => asString(o.provisioner) ?? ''],
        ['ReclaimPolicy', 'string', (o) => asString(o.reclaimPolicy) ?? 'Delete'],
        ['VolumeBindingMode', 'string', (o) => asString(o.volumeBindingMode) ?? 'Immediate'],
        ageCol,
      ];
    default:
      return [nameCol, ageCol];
  }
}

export function toTable(kind: string, items: KubeObject[], listMeta: JsonObject, nowMs: number): JsonObject {
  const cols = columns(kind, nowMs);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: cols.map(([name, type, , priority]) => ({
      name,
      type,
      format: name === 'Name' ? 'name' : '',
      description: name,
      priority: priority ?? 0,
    })),
    rows: items.map((o) => ({
      cells: cols.map(([, , get]) => get(o)),
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: Object.fromEntries(Object.entries(o.metadata).filter(([k]) => k !== 'managedFields')),
      },
    })),
  };
}

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && isObject({});
}
