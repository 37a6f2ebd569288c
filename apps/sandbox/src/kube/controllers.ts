/** Controllers that give the emulated clusters their physics. They run synchronously after writes. */
import type { KubeNodePool } from '../context.ts';
import {
  CSI_DRIVER,
  defaultStorageClasses,
  defaultZones,
  ingressClass,
  loadBalancerIngress,
  nodeName,
  podCidrBase,
  providerId,
  regionOf,
  volumeHandle,
} from './cloud.ts';
import { type Cluster, rkeyOf } from './cluster.ts';
import { versionInfo } from './discovery.ts';
import { latestRun, parseCron } from './cron.ts';
import type { ResourceDef } from './resources.ts';
import {
  matchesNodeAffinity,
  podRequests,
  type SchedNode,
  scheduleOn,
  type Usage,
  untoleratedTaint,
} from './schedule.ts';
import { matchLabelSelector } from './selectors.ts';
import {
  asArray,
  asNumber,
  asObject,
  asString,
  asStringMap,
  clone,
  dig,
  isObject,
  type JsonObject,
  KubeError,
  type KubeObject,
  type OwnerReference,
} from './types.ts';
import { isoTime, parseQuantity, shortHash, stableJson } from './util.ts';

const D = {
  ns: (c: Cluster) => c.defByPlural('', 'namespaces'),
  pods: (c: Cluster) => c.defByPlural('', 'pods'),
  nodes: (c: Cluster) => c.defByPlural('', 'nodes'),
  pvcs: (c: Cluster) => c.defByPlural('', 'persistentvolumeclaims'),
  pvs: (c: Cluster) => c.defByPlural('', 'persistentvolumes'),
  svcs: (c: Cluster) => c.defByPlural('', 'services'),
  eps: (c: Cluster) => c.defByPlural('', 'endpoints'),
  cms: (c: Cluster) => c.defByPlural('', 'configmaps'),
  secrets: (c: Cluster) => c.defByPlural('', 'secrets'),
  sas: (c: Cluster) => c.defByPlural('', 'serviceaccounts'),
  events: (c: Cluster) => c.defByPlural('', 'events'),
  deploys: (c: Cluster) => c.defByPlural('apps', 'deployments'),
  rss: (c: Cluster) => c.defByPlural('apps', 'replicasets'),
  stss: (c: Cluster) => c.defByPlural('apps', 'statefulsets'),
  dss: (c: Cluster) => c.defByPlural('apps', 'daemonsets'),
  jobs: (c: Cluster) => c.defByPlural('batch', 'jobs'),
  cjs: (c: Cluster) => c.defByPlural('batch', 'cronjobs'),
  scs: (c: Cluster) => c.defByPlural('storage.k8s.io', 'storageclasses'),
  ings: (c: Cluster) => c.defByPlural('networking.k8s.io', 'ingresses'),
};

const now = (c: Cluster) => isoTime(c.now());
const name = (o: KubeObject) => o.metadata.name ?? '';
const spec = (o: KubeObject) => asObject(o.spec);
const status = (o: KubeObject) => asObject(o.status);

function ownerRef(o: KubeObject): OwnerReference {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: name(o),
    uid: o.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function controllerUid(o: KubeObject): string | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

function owned(c: Cluster, def: ResourceDef, owner: KubeObject): KubeObject[] {
  return c.list(def, owner.metadata.namespace).filter((o) => controllerUid(o) === owner.metadata.uid);
}

function tryCreate(c: Cluster, def: ResourceDef, obj: KubeObject): string | undefined {
  try {
    admit(c, def, obj, undefined);
    c.create(def, obj, { manager: 'kube-controller-manager' });
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function put(c: Cluster, def: ResourceDef, obj: KubeObject): void {
  c.putInternal(def, obj);
}

/** Set a condition keeping lastTransitionTime when its status does not change. */
function setCondition(
  c: Cluster,
  conds: unknown,
  type: string,
  st: 'True' | 'False',
  reason?: string,
  message?: string,
  withUpdate = false,
): JsonObject[] {
  const list = asArray(conds).map((x) => ({ ...asObject(x) }));
  const i = list.findIndex((x) => x.type === type);
  const prev = i >= 0 ? list[i]! : undefined;
  const t = prev && prev.status === st ? (asString(prev.lastTransitionTime) ?? now(c)) : now(c);
  const sameAsBefore = prev && prev.status === st && prev.reason === reason && prev.message === message;
  const next: JsonObject = {
    type,
    status: st,
    ...(withUpdate ? { lastUpdateTime: sameAsBefore ? (prev.lastUpdateTime ?? now(c)) : now(c) } : {}),
    lastTransitionTime: t,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
  if (prev && (prev.lastProbeTime !== undefined || type === 'PodScheduled' || type === 'Ready'))
    next.lastProbeTime = null;
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

// ---------------------------------------------------------------- bootstrap

export function bootstrap(c: Cluster): void {
  const create = (def: ResourceDef, obj: KubeObject) => {
    if (c.get(def, obj.metadata.namespace, name(obj))) return;
    admit(c, def, obj, undefined);
    c.create(def, obj, { manager: 'kube-apiserver' });
  };
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    create(D.ns(c), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const sc of defaultStorageClasses(c.info.cloud)) create(D.scs(c), sc);
  const ic = ingressClass(c.info.cloud);
  create(c.defByPlural('networking.k8s.io', 'ingressclasses'), {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: ic.name, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: ic.controller },
  });
  create(c.defByPlural('storage.k8s.io', 'csidrivers'), {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name: CSI_DRIVER[c.info.cloud] },
    spec: { attachRequired: true, podInfoOnMount: false, volumeLifecycleModes: ['Persistent'] },
  });
  for (const [pc, value] of [
    ['system-cluster-critical', 2000000000],
    ['system-node-critical', 2000001000],
  ] as const)
    create(c.defByPlural('scheduling.k8s.io', 'priorityclasses'), {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: pc },
      value,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Used for system critical pods that must not be moved from their current node.',
    });
  const rbac = (plural: string) => c.defByPlural('rbac.authorization.k8s.io', plural);
  const all = [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ];
  for (const [role, rules] of [
    ['cluster-admin', all],
    ['admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]],
    [
      'edit',
      [
        {
          apiGroups: ['*'],
          resources: ['*'],
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        },
      ],
    ],
    ['view', [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }]],
  ] as const)
    create(rbac('clusterroles'), {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: role, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
      rules: clone(rules) as unknown[],
    });
  create(rbac('clusterrolebindings'), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'cluster-admin', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }],
  });
  const svc = (
    ns: string,
    n: string,
    labels: Record<string, string>,
    port: number,
    sel?: Record<string, string>,
  ) =>
    create(D.svcs(c), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: n, namespace: ns, labels },
      spec: {
        ...(sel ? { selector: sel } : {}),
        ports: [
          {
            name: n === 'kubernetes' ? 'https' : 'dns',
            port,
            protocol: n === 'kubernetes' ? 'TCP' : 'UDP',
            targetPort: n === 'kubernetes' ? 443 : 53,
          },
        ],
      },
    });
  svc('default', 'kubernetes', { component: 'apiserver', provider: 'kubernetes' }, 443);
  svc('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' }, 53, {
    'k8s-app': 'kube-dns',
  });
  create(D.deploys(c), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-dns' } },
        spec: {
          priorityClassName: 'system-cluster-critical',
          tolerations: [{ operator: 'Exists' }],
          containers: [
            {
              name: 'coredns',
              image: 'registry.k8s.io/coredns/coredns:v1.11.3',
              resources: { requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } },
              ports: [
                { name: 'dns', containerPort: 53, protocol: 'UDP' },
                { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
              ],
            },
          ],
        },
      },
    },
  });
}

// ---------------------------------------------------------------- nodes

function reservedMemory(bytes: number): number {
  const gi = 1024 ** 3;
  let left = bytes;
  let r = 0;
  for (const [size, frac] of [
    [4 * gi, 0.25],
    [4 * gi, 0.2],
    [8 * gi, 0.1],
    [112 * gi, 0.06],
    [Number.POSITIVE_INFINITY, 0.02],
  ] as const) {
    const take = Math.min(left, size);
    r += take * frac;
    left -= take;
    if (left <= 0) break;
  }
  return r + 100 * 1024 ** 2;
}

function nodeObject(
  c: Cluster,
  pool: KubeNodePool,
  index: number,
  n: string,
  zone: string,
  ip: string,
): KubeObject {
  const info = c.info;
  const mem = pool.memoryGiB * 1024 ** 3;
  const allocMem = Math.max(0, mem - reservedMemory(mem));
  const cpuM = pool.vcpus * 1000;
  const allocCpu = cpuM - (pool.vcpus <= 2 ? 140 : 80 + 20 * Math.min(pool.vcpus, 16));
  const arch = pool.arch === 'arm64' ? 'arm64' : 'amd64';
  const pods = info.cloud === 'aws' ? (pool.vcpus <= 2 ? 29 : 58) : 110;
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': pool.os,
    'kubernetes.io/arch': arch,
    'kubernetes.io/os': pool.os,
    'node.kubernetes.io/instance-type': pool.machineType,
    'beta.kubernetes.io/instance-type': pool.machineType,
    'topology.kubernetes.io/region': regionOf(info),
    'topology.kubernetes.io/zone': zone,
    'failure-domain.beta.kubernetes.io/region': regionOf(info),
    'failure-domain.beta.kubernetes.io/zone': zone,
    ...pool.labels,
    'kubernetes.io/hostname': n,
  };
  const ts = isoTime(c.now());
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n,
      labels,
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      providerID: providerId(info, n, zone, index),
      podCIDR: `${podCidrBase(info.cloud)}.${(c.next('podcidr') % 250) + 1}.0/24`,
      ...(pool.taints.length ? { taints: pool.taints.map((t) => ({ ...t })) } : {}),
    },
    status: {
      capacity: {
        cpu: String(pool.vcpus),
        memory: `${Math.round(mem / 1024)}Ki`,
        pods: String(pods),
        'ephemeral-storage': '101430960Ki',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
      },
      allocatable: {
        cpu: `${allocCpu}m`,
        memory: `${Math.round(allocMem / 1024)}Ki`,
        pods: String(pods),
        'ephemeral-storage': '93478772582',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
      },
      conditions: [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ].map(([type, st, reason, message]) => ({
        type,
        status: st,
        lastHeartbeatTime: ts,
        lastTransitionTime: ts,
        reason,
        message,
      })),
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: n },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: arch,
        bootID: shortHash(`${n}/boot`, 16),
        containerRuntimeVersion: 'containerd://1.7.22',
        kernelVersion: '6.1.112',
        kubeProxyVersion: String(versionInfo(c).gitVersion),
        kubeletVersion: String(versionInfo(c).gitVersion),
        machineID: shortHash(`${n}/machine`, 32),
        operatingSystem: pool.os,
        osImage:
          info.cloud === 'aws'
            ? 'Amazon Linux 2023.6.20241212'
            : info.cloud === 'azure'
              ? 'Ubuntu 22.04.5 LTS'
              : 'Container-Optimized OS from Google',
        systemUUID: shortHash(`${n}/uuid`, 32),
      },
    },
  };
}

export function syncNodes(c: Cluster): void {
  const def = D.nodes(c);
  const want = new Map<string, KubeObject>();
  let ipIndex = 0;
  for (const pool of c.info.nodePools) {
    const zones = pool.zones.length ? pool.zones : defaultZones(c.info);
    for (let i = 0; i < pool.nodeCount; i++) {
      const zone = zones[i % zones.length]!;
      let n = nodeName(c.info, pool, i, zone);
      while (want.has(n)) n = `${n}x`;
      ipIndex++;
      const ip = `${c.info.cloud === 'azure' ? '10.224' : c.info.cloud === 'gcp' ? '10.128' : '10.0'}.${Math.floor(ipIndex / 250)}.${(ipIndex % 250) + 4}`;
      want.set(n, nodeObject(c, pool, i, n, zone, ip));
    }
  }
  const leaseDef = c.defByPlural('coordination.k8s.io', 'leases');
  for (const node of c.list(def))
    if (!want.has(name(node))) {
      c.remove(def, undefined, name(node));
      if (c.get(leaseDef, 'kube-node-lease', name(node))) c.remove(leaseDef, 'kube-node-lease', name(node));
    }
  for (const n of want.keys())
    if (!c.get(leaseDef, 'kube-node-lease', n) && c.getByKey('/namespaces', undefined, 'kube-node-lease'))
      c.create(
        leaseDef,
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: n, namespace: 'kube-node-lease' },
          spec: {
            holderIdentity: n,
            leaseDurationSeconds: 40,
            renewTime: new Date(c.now()).toISOString().replace('Z', '000Z'),
          },
        },
        { manager: 'kubelet' },
      );
  for (const [n, obj] of want) {
    const live = c.get(def, undefined, n);
    if (!live) {
      c.create(def, obj, { manager: 'kubelet' });
      continue;
    }
    const next = clone(live);
    next.metadata.labels = { ...obj.metadata.labels };
    const o = obj.spec as JsonObject;
    const s = { ...spec(live) };
    if (o.taints) s.taints = o.taints;
    else delete s.taints;
    next.spec = s;
    const st = { ...status(live) };
    st.capacity = status(obj).capacity;
    st.allocatable = status(obj).allocatable;
    next.status = st;
    put(c, def, next);
  }
}

function schedNodes(c: Cluster): SchedNode[] {
  return c.list(D.nodes(c)).map((n) => {
    const alloc = asObject(status(n).allocatable);
    const ready = asArray(status(n).conditions).some(
      (x) => isObject(x) && x.type === 'Ready' && x.status === 'True',
    );
    return {
      name: name(n),
      labels: n.metadata.labels ?? {},
      taints: asArray(spec(n).taints).map((t) => {
        const o = asObject(t);
        return {
          key: String(o.key),
          ...(typeof o.value === 'string' ? { value: o.value } : {}),
          effect: String(o.effect),
        };
      }),
      allocatable: {
        cpu: parseQuantity(alloc.cpu),
        memory: parseQuantity(alloc.memory),
        pods: parseQuantity(alloc.pods ?? '110'),
      },
      ready,
      unschedulable: spec(n).unschedulable === true,
    };
  });
}

// ---------------------------------------------------------------- admission (defaults on write)

function defaultPodSpec(s: JsonObject): void {
  s.restartPolicy ??= 'Always';
  s.dnsPolicy ??= 'ClusterFirst';
  s.schedulerName ??= 'default-scheduler';
  s.terminationGracePeriodSeconds ??= 30;
  s.securityContext ??= {};
  s.enableServiceLinks ??= true;
  s.preemptionPolicy ??= 'PreemptLowerPriority';
  s.priority ??= 0;
  for (const list of [s.containers, s.initContainers])
    for (const ct of asArray(list)) {
      if (!isObject(ct)) continue;
      ct.terminationMessagePath ??= '/dev/termination-log';
      ct.terminationMessagePolicy ??= 'File';
      const image = asString(ct.image) ?? '';
      ct.imagePullPolicy ??= image.endsWith(':latest') || !/:[^/]+$/.test(image) ? 'Always' : 'IfNotPresent';
      ct.resources ??= {};
      for (const p of asArray(ct.ports)) if (isObject(p)) p.protocol ??= 'TCP';
    }
}

/** Admission defaults applied to creates and updates (API and controllers). */
export function admit(c: Cluster, def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): void {
  const s = isObject(obj.spec) ? obj.spec : undefined;
  switch (rkeyOf(def)) {
    case '/namespaces': {
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': name(obj) };
      obj.spec = { finalizers: ['kubernetes'], ...asObject(obj.spec) };
      obj.status = old ? (old.status ?? { phase: 'Active' }) : { phase: 'Active' };
      break;
    }
    case '/pods': {
      if (!s) break;
      if (!old) {
        s.serviceAccountName ??= asString(s.serviceAccount) ?? 'default';
        s.serviceAccount = s.serviceAccountName;
        const ns = obj.metadata.namespace ?? 'default';
        const sa = String(s.serviceAccountName);
        if (c.getByKey('/namespaces', undefined, ns) && !c.getByKey('/serviceaccounts', ns, sa)) {
          throw new KubeError(
            403,
            'Forbidden',
            `pods "${name(obj) || obj.metadata.generateName || ''}" is forbidden: error looking up service account ${ns}/${sa}: serviceaccount "${sa}" not found`,
          );
        }
        s.tolerations = [
          ...asArray(s.tolerations),
          ...['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']
            .filter((k) => !asArray(s.tolerations).some((t) => isObject(t) && t.key === k))
            .map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 })),
        ];
        defaultPodSpec(s);
        obj.status = { phase: 'Pending', qosClass: qosClass(s) };
      }
      break;
    }
    case 'apps/deployments': {
      if (!s) break;
      s.replicas ??= 1;
      s.revisionHistoryLimit ??= 10;
      s.progressDeadlineSeconds ??= 600;
      s.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
      defaultPodSpec(asObject(asObject(s.template).spec));
      break;
    }
    case 'apps/replicasets':
      if (s) {
        s.replicas ??= 1;
        defaultPodSpec(asObject(asObject(s.template).spec));
      }
      break;
    case 'apps/statefulsets':
      if (s) {
        s.replicas ??= 1;
        s.podManagementPolicy ??= 'OrderedReady';
        s.revisionHistoryLimit ??= 10;
        s.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
        s.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
        defaultPodSpec(asObject(asObject(s.template).spec));
        for (const t of asArray(s.volumeClaimTemplates)) {
          if (!isObject(t)) continue;
          t.apiVersion ??= 'v1';
          t.kind ??= 'PersistentVolumeClaim';
          const ts = asObject(t.spec);
          ts.volumeMode ??= 'Filesystem';
          t.spec = ts;
        }
      }
      break;
    case 'apps/daemonsets':
      if (s) {
        s.revisionHistoryLimit ??= 10;
        s.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } };
        defaultPodSpec(asObject(asObject(s.template).spec));
      }
      break;
    case 'batch/jobs':
      if (s) {
        s.completions ??= 1;
        s.parallelism ??= 1;
        s.backoffLimit ??= 6;
        s.completionMode ??= 'NonIndexed';
        s.suspend ??= false;
        if (!old && obj.metadata.uid === undefined && s.manualSelector !== true) {
          // selector is generated from the uid once created; placeholder filled in by the job controller
        }
        defaultPodSpec(asObject(asObject(s.template).spec));
      }
      break;
    case 'batch/cronjobs':
      if (s) {
        s.concurrencyPolicy ??= 'Allow';
        s.suspend ??= false;
        s.successfulJobsHistoryLimit ??= 3;
        s.failedJobsHistoryLimit ??= 1;
      }
      break;
    case '/persistentvolumeclaims': {
      if (!s) break;
      if (!old) {
        if (s.storageClassName === undefined) {
          const dflt = c
            .list(D.scs(c))
            .find((x) => x.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
          if (dflt) s.storageClassName = name(dflt);
        }
        s.volumeMode ??= 'Filesystem';
        obj.status = { phase: 'Pending' };
        obj.metadata.finalizers = [
          ...new Set([...(obj.metadata.finalizers ?? []), 'kubernetes.io/pvc-protection']),
        ];
      }
      break;
    }
    case '/services': {
      if (!s) break;
      s.type ??= 'ClusterIP';
      s.sessionAffinity ??= 'None';
      const prevSpec = old ? spec(old) : {};
      if (s.clusterIP === undefined || s.clusterIP === '') {
        if (typeof prevSpec.clusterIP === 'string') s.clusterIP = prevSpec.clusterIP;
        else if (s.type !== 'ExternalName') {
          const n = c.next('clusterip');
          const base = c.info.cloud === 'aws' ? '172.20' : c.info.cloud === 'azure' ? '10.0' : '34.118';
          s.clusterIP =
            name(obj) === 'kubernetes'
              ? `${base}.0.1`
              : `${base}.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
        }
      }
      if (typeof s.clusterIP === 'string') {
        s.clusterIPs = [s.clusterIP];
        if (s.clusterIP !== 'None') {
          s.ipFamilies ??= ['IPv4'];
          s.ipFamilyPolicy ??= 'SingleStack';
        }
      }
      s.internalTrafficPolicy ??= 'Cluster';
      const prevPorts = asArray(prevSpec.ports).map(asObject);
      for (const p of asArray(s.ports)) {
        if (!isObject(p)) continue;
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
        if ((s.type === 'NodePort' || s.type === 'LoadBalancer') && p.nodePort === undefined) {
          const prev = prevPorts.find((x) => x.port === p.port && x.protocol === p.protocol);
          p.nodePort = prev?.nodePort ?? 30000 + ((c.next('nodeport') * 7919) % 2767);
        }
      }
      if (s.type === 'NodePort' || s.type === 'LoadBalancer') s.externalTrafficPolicy ??= 'Cluster';
      if (s.type === 'LoadBalancer') s.allocateLoadBalancerNodePorts ??= true;
      if (!old) obj.status = { loadBalancer: {} };
      break;
    }
    case '/serviceaccounts':
      break;
  }
}

function qosClass(s: JsonObject): string {
  const cs = asArray(s.containers).map(asObject);
  let anyReq = false;
  let guaranteed = cs.length > 0;
  for (const ct of cs) {
    const r = asObject(asObject(ct.resources).requests);
    const l = asObject(asObject(ct.resources).limits);
    if (Object.keys(r).length || Object.keys(l).length) anyReq = true;
    for (const k of ['cpu', 'memory']) {
      const lim = l[k];
      const req = r[k] ?? lim;
      if (lim === undefined || parseQuantity(req) !== parseQuantity(lim)) guaranteed = false;
    }
  }
  return guaranteed ? 'Guaranteed' : anyReq ? 'Burstable' : 'BestEffort';
}

// ---------------------------------------------------------------- reconcile

export function reconcile(c: Cluster): void {
  c.lastReconcile = c.now();
  for (let pass = 0; pass < 25; pass++) {
    const before = c.rv;
    namespaces(c);
    garbageCollect(c);
    deployments(c);
    replicaSets(c);
    statefulSets(c);
    daemonSets(c);
    cronJobs(c);
    jobs(c);
    volumes(c);
    scheduler(c);
    kubelet(c);
    services(c);
    workloadStatus(c);
    policyStatus(c);
    if (c.rv === before) return;
  }
  if (process.env.KUBE_DEBUG) console.warn(`reconcile of ${c.id} did not settle`);
}

function namespaces(c: Cluster): void {
  for (const ns of c.list(D.ns(c))) {
    const n = name(ns);
    if (ns.metadata.deletionTimestamp) continue;
    if (!c.getByKey('/serviceaccounts', n, 'default'))
      c.create(D.sas(c), {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: n },
      });
    if (!c.getByKey('/configmaps', n, 'kube-root-ca.crt'))
      c.create(D.cms(c), {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'kube-root-ca.crt',
          namespace: n,
          annotations: {
            'kubernetes.io/description':
              'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
          },
        },
        data: {
          'ca.crt': `-----BEGIN CERTIFICATE-----\n${Buffer.from(`sandbox-ca/${c.id}`).toString('base64')}\n-----END CERTIFICATE-----\n`,
        },
      });
  }
}

function garbageCollect(c: Cluster): void {
  const uids = new Set<string>();
  for (const t of c.objects.values())
    for (const o of t.values()) if (o.metadata.uid) uids.add(o.metadata.uid);
  for (const def of c.allDefs()) {
    for (const o of c.list(def)) {
      const refs = o.metadata.ownerReferences;
      if (!refs?.length) continue;
      if (refs.every((r) => !uids.has(r.uid))) {
        if (c.get(def, o.metadata.namespace, name(o))) c.remove(def, o.metadata.namespace, name(o));
      }
    }
  }
}

function podTemplateHash(template: unknown): string {
  return shortHash(stableJson(template), 10);
}

function podReady(p: KubeObject): boolean {
  return asArray(status(p).conditions).some((x) => isObject(x) && x.type === 'Ready' && x.status === 'True');
}

function pctOrInt(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.endsWith('%')) {
    const x = (Number(v.slice(0, -1)) / 100) * total;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return roundUp ? 1 : 0;
}

function deployments(c: Cluster): void {
  const rsDef = D.rss(c);
  for (const d of c.list(D.deploys(c))) {
    const s = spec(d);
    if (s.paused === true) continue;
    const template = clone(asObject(s.template));
    const hash = podTemplateHash(template);
    const desired = asNumber(s.replicas) ?? 1;
    const rss = owned(c, rsDef, d);
    let newRs = rss.find((r) => r.metadata.labels?.['pod-template-hash'] === hash);
    const maxRev = Math.max(
      0,
      ...rss.map((r) => Number(r.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0)),
    );
    if (!newRs) {
      const tmeta = asObject(template.metadata);
      const labels = { ...asStringMap(tmeta.labels), 'pod-template-hash': hash };
      const sel = asObject(s.selector);
      const rs: KubeObject = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${name(d)}-${hash}`,
          namespace: d.metadata.namespace,
          labels,
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(desired),
            'deployment.kubernetes.io/max-replicas': String(
              desired + pctOrInt(dig(s, 'strategy', 'rollingUpdate', 'maxSurge') ?? '25%', desired, true),
            ),
            'deployment.kubernetes.io/revision': String(maxRev + 1),
          },
          ownerReferences: [ownerRef(d)],
        },
        spec: {
          replicas: desired,
          selector: { ...sel, matchLabels: { ...asStringMap(sel.matchLabels), 'pod-template-hash': hash } },
          template: { ...template, metadata: { ...tmeta, labels } },
        },
      };
      tryCreate(c, rsDef, rs);
      newRs = c.get(rsDef, d.metadata.namespace, name(rs));
      if (!newRs) continue;
    } else if (spec(newRs).replicas !== desired) {
      const next = clone(newRs);
      next.spec = { ...spec(newRs), replicas: desired };
      next.metadata.annotations = {
        ...next.metadata.annotations,
        'deployment.kubernetes.io/desired-replicas': String(desired),
      };
      put(c, rsDef, next);
    }
    const rev = newRs.metadata.annotations?.['deployment.kubernetes.io/revision'];
    if (rev && d.metadata.annotations?.['deployment.kubernetes.io/revision'] !== rev) {
      const next = clone(d);
      next.metadata.annotations = { ...next.metadata.annotations, 'deployment.kubernetes.io/revision': rev };
      put(c, D.deploys(c), next);
    }
    const newReady = asNumber(status(newRs).readyReplicas) ?? 0;
    const recreate = dig(s, 'strategy', 'type') === 'Recreate';
    const olds = rss.filter((r) => r !== newRs && r.metadata.uid !== newRs?.metadata.uid);
    if (recreate || newReady >= desired) {
      for (const old of olds)
        if (spec(old).replicas !== 0) put(c, rsDef, { ...clone(old), spec: { ...spec(old), replicas: 0 } });
    }
    const limit = asNumber(s.revisionHistoryLimit) ?? 10;
    const idle = olds
      .filter((r) => spec(r).replicas === 0 && (asNumber(status(r).replicas) ?? 0) === 0)
      .sort(
        (a, b) =>
          Number(a.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) -
          Number(b.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0),
      );
    while (idle.length > limit) {
      const r = idle.shift()!;
      c.remove(rsDef, r.metadata.namespace, name(r));
    }
  }
}

function podFromTemplate(
  owner: KubeObject,
  template: JsonObject,
  podName: string | undefined,
  extraLabels: Record<string, string> = {},
): KubeObject {
  const tmeta = asObject(template.metadata);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(podName ? { name: podName } : { generateName: `${name(owner)}-` }),
      namespace: owner.metadata.namespace,
      labels: { ...asStringMap(tmeta.labels), ...extraLabels },
      ...(tmeta.annotations ? { annotations: asStringMap(tmeta.annotations) } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: clone(asObject(template.spec)),
  };
}

function setFailure(c: Cluster, def: ResourceDef, o: KubeObject, err: string | undefined): void {
  const st = status(o);
  const has = asArray(st.conditions).some((x) => isObject(x) && x.type === 'ReplicaFailure');
  if (!err && !has) return;
  const next = clone(o);
  const conds = err
    ? setCondition(c, st.conditions, 'ReplicaFailure', 'True', 'FailedCreate', err)
    : asArray(st.conditions).filter((x) => !(isObject(x) && x.type === 'ReplicaFailure'));
  next.status = { ...st, conditions: conds };
  put(c, def, next);
}

function livePods(c: Cluster, owner: KubeObject): KubeObject[] {
  return owned(c, D.pods(c), owner).filter((p) => !p.metadata.deletionTimestamp);
}

function deletePreferring(c: Cluster, pods: KubeObject[], count: number): void {
  const rank = (p: KubeObject) =>
    !spec(p).nodeName ? 0 : status(p).phase === 'Pending' ? 1 : !podReady(p) ? 2 : 3;
  const sorted = [...pods].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
  );
  for (const p of sorted.slice(0, count)) c.remove(D.pods(c), p.metadata.namespace, name(p));
}

function replicaSets(c: Cluster): void {
  const rsDef = D.rss(c);
  for (const rs of c.list(rsDef)) {
    const s = spec(rs);
    const want = asNumber(s.replicas) ?? 1;
    const pods = livePods(c, rs);
    let err: string | undefined;
    for (let i = pods.length; i < want; i++) {
      err = tryCreate(c, D.pods(c), podFromTemplate(rs, asObject(s.template), undefined));
      if (err) break;
    }
    if (pods.length > want) deletePreferring(c, pods, pods.length - want);
    const cur = c.get(rsDef, rs.metadata.namespace, name(rs));
    if (cur) setFailure(c, rsDef, cur, err);
  }
}

function statefulSets(c: Cluster): void {
  const def = D.stss(c);
  const pvcDef = D.pvcs(c);
  for (const sts of c.list(def)) {
    const s = spec(sts);
    const want = asNumber(s.replicas) ?? 1;
    const template = asObject(s.template);
    const rev = `${name(sts)}-${podTemplateHash(template)}`;
    const ordered = s.podManagementPolicy !== 'Parallel';
    const pods = livePods(c, sts);
    const byName = new Map(pods.map((p) => [name(p), p]));
    let err: string | undefined;
    for (let i = 0; i < want; i++) {
      const podName = `${name(sts)}-${i}`;
      const existing = byName.get(podName);
      if (existing) {
        if (
          existing.metadata.labels?.['controller-revision-hash'] !== rev &&
          s.updateStrategy &&
          dig(s, 'updateStrategy', 'type') !== 'OnDelete'
        ) {
          c.remove(D.pods(c), existing.metadata.namespace, podName);
          break;
        }
        if (ordered && !podReady(existing)) break;
        continue;
      }
      const vols = asArray(asObject(template.spec).volumes).map(asObject);
      const podSpecVols = [...vols];
      for (const t of asArray(s.volumeClaimTemplates).map(asObject)) {
        const tname = asString(asObject(t.metadata).name) ?? 'data';
        const claim = `${tname}-${name(sts)}-${i}`;
        if (!c.get(pvcDef, sts.metadata.namespace, claim)) {
          const pvc: KubeObject = {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: {
              name: claim,
              namespace: sts.metadata.namespace,
              labels: {
                ...asStringMap(dig(s, 'selector', 'matchLabels')),
                ...asStringMap(asObject(t.metadata).labels),
              },
              ...(asObject(t.metadata).annotations
                ? { annotations: asStringMap(asObject(t.metadata).annotations) }
                : {}),
              ...(dig(s, 'persistentVolumeClaimRetentionPolicy', 'whenDeleted') === 'Delete'
                ? { ownerReferences: [{ ...ownerRef(sts), controller: false }] }
                : {}),
            },
            spec: clone(asObject(t.spec)),
          };
          err = tryCreate(c, pvcDef, pvc);
        }
        if (!podSpecVols.some((v) => v.name === tname))
          podSpecVols.push({ name: tname, persistentVolumeClaim: { claimName: claim } });
      }
      const pod = podFromTemplate(sts, template, podName, {
        'controller-revision-hash': rev,
        'statefulset.kubernetes.io/pod-name': podName,
        'apps.kubernetes.io/pod-index': String(i),
      });
      const ps = asObject(pod.spec);
      ps.volumes = podSpecVols;
      ps.hostname = podName;
      if (typeof s.serviceName === 'string' && s.serviceName) ps.subdomain = s.serviceName;
      err = tryCreate(c, D.pods(c), pod) ?? err;
      if (err || ordered) break;
    }
    for (const p of pods) {
      const idx = Number(
        p.metadata.labels?.['apps.kubernetes.io/pod-index'] ?? name(p).slice(name(sts).length + 1),
      );
      if (!(idx < want)) c.remove(D.pods(c), p.metadata.namespace, name(p));
    }
    const cur = c.get(def, sts.metadata.namespace, name(sts));
    if (cur) setFailure(c, def, cur, err);
  }
}

function daemonSets(c: Cluster): void {
  const def = D.dss(c);
  const nodes = schedNodes(c);
  for (const ds of c.list(def)) {
    const s = spec(ds);
    const template = asObject(s.template);
    const tspec = asObject(template.spec);
    const hash = podTemplateHash(template);
    const eligible = nodes.filter((n) => matchesNodeAffinity(tspec, n) && !untoleratedTaint(tspec, n));
    const pods = livePods(c, ds);
    const podNode = (p: KubeObject) =>
      asString(
        dig(
          spec(p),
          'affinity',
          'nodeAffinity',
          'requiredDuringSchedulingIgnoredDuringExecution',
          'nodeSelectorTerms',
          0,
          'matchFields',
          0,
          'values',
          0,
        ),
      ) ?? asString(spec(p).nodeName);
    for (const p of pods) {
      const n = podNode(p);
      if (!eligible.some((e) => e.name === n) || p.metadata.labels?.['controller-revision-hash'] !== hash)
        c.remove(D.pods(c), p.metadata.namespace, name(p));
    }
    const remaining = livePods(c, ds);
    for (const n of eligible) {
      if (remaining.some((p) => podNode(p) === n.name)) continue;
      const pod = podFromTemplate(ds, template, undefined, {
        'controller-revision-hash': hash,
        'pod-template-generation': String(ds.metadata.generation ?? 1),
      });
      const ps = asObject(pod.spec);
      ps.affinity = {
        ...asObject(ps.affinity),
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: [n.name] }] },
            ],
          },
        },
      };
      ps.tolerations = [
        ...asArray(ps.tolerations),
        ...[
          'not-ready',
          'unreachable',
          'disk-pressure',
          'memory-pressure',
          'pid-pressure',
          'unschedulable',
        ].map((k) => ({
          key: `node.kubernetes.io/${k}`,
          operator: 'Exists',
          effect: k === 'not-ready' || k === 'unreachable' ? 'NoExecute' : 'NoSchedule',
        })),
      ];
      tryCreate(c, D.pods(c), pod);
    }
    const all = livePods(c, ds);
    const scheduled = all.filter((p) => spec(p).nodeName);
    const ready = all.filter(podReady).length;
    const cur = c.get(def, ds.metadata.namespace, name(ds));
    if (!cur) continue;
    put(c, def, {
      ...clone(cur),
      status: {
        currentNumberScheduled: scheduled.length,
        desiredNumberScheduled: eligible.length,
        numberMisscheduled: 0,
        numberReady: ready,
        numberAvailable: ready,
        ...(eligible.length - ready > 0 ? { numberUnavailable: eligible.length - ready } : {}),
        updatedNumberScheduled: all.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash)
          .length,
        observedGeneration: cur.metadata.generation,
      },
    });
  }
}

function cronJobs(c: Cluster): void {
  const def = D.cjs(c);
  const jobDef = D.jobs(c);
  for (const cj of c.list(def)) {
    const s = spec(cj);
    const sched = parseCron(asString(s.schedule) ?? '');
    const st = status(cj);
    const jobs = owned(c, jobDef, cj);
    if (sched && s.suspend !== true) {
      const last =
        Date.parse(asString(st.lastScheduleTime) ?? cj.metadata.creationTimestamp ?? '') || c.now();
      const run = latestRun(sched, last, c.now());
      const active = jobs.filter((j) => !jobFinished(j));
      if (run !== undefined && !(s.concurrencyPolicy === 'Forbid' && active.length > 0)) {
        if (s.concurrencyPolicy === 'Replace')
          for (const j of active) c.remove(jobDef, j.metadata.namespace, name(j));
        const jt = asObject(s.jobTemplate);
        const job: KubeObject = {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: {
            name: `${name(cj)}-${Math.floor(run / 60000)}`,
            namespace: cj.metadata.namespace,
            labels: asStringMap(asObject(jt.metadata).labels),
            annotations: {
              ...asStringMap(asObject(jt.metadata).annotations),
              'batch.kubernetes.io/cronjob-scheduled-timestamp': new Date(run)
                .toISOString()
                .replace(/\.\d{3}Z$/, 'Z'),
            },
            ownerReferences: [ownerRef(cj)],
          },
          spec: clone(asObject(jt.spec)),
        };
        tryCreate(c, jobDef, job);
        const cur = c.get(def, cj.metadata.namespace, name(cj));
        if (cur) put(c, def, { ...clone(cur), status: { ...status(cur), lastScheduleTime: isoTime(run) } });
      }
    }
    // history limits
    const all = owned(c, jobDef, cj).sort(
      (a, b) =>
        String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) ||
        name(a).localeCompare(name(b)),
    );
    const ok = all.filter((j) => jobCondition(j, 'Complete'));
    const failed = all.filter((j) => jobCondition(j, 'Failed'));
    const okLimit = asNumber(s.successfulJobsHistoryLimit) ?? 3;
    const failLimit = asNumber(s.failedJobsHistoryLimit) ?? 1;
    for (const j of ok.slice(0, Math.max(0, ok.length - okLimit)))
      c.remove(jobDef, j.metadata.namespace, name(j));
    for (const j of failed.slice(0, Math.max(0, failed.length - failLimit)))
      c.remove(jobDef, j.metadata.namespace, name(j));
    const cur = c.get(def, cj.metadata.namespace, name(cj));
    if (!cur) continue;
    const active = owned(c, jobDef, cj).filter((j) => !jobFinished(j));
    const lastOk = ok.length ? asString(status(ok[ok.length - 1]!).completionTime) : undefined;
    const nextStatus: JsonObject = { ...status(cur) };
    if (active.length)
      nextStatus.active = active.map((j) => ({
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: name(j),
        namespace: j.metadata.namespace,
        uid: j.metadata.uid,
        resourceVersion: j.metadata.resourceVersion,
      }));
    else delete nextStatus.active;
    if (lastOk) nextStatus.lastSuccessfulTime = lastOk;
    if (stableJson(nextStatus) !== stableJson(status(cur)))
      put(c, def, { ...clone(cur), status: nextStatus });
  }
}

function jobCondition(j: KubeObject, type: string): boolean {
  return asArray(status(j).conditions).some((x) => isObject(x) && x.type === type && x.status === 'True');
}

function jobFinished(j: KubeObject): boolean {
  return jobCondition(j, 'Complete') || jobCondition(j, 'Failed');
}

function jobs(c: Cluster): void {
  const def = D.jobs(c);
  for (const job of c.list(def)) {
    const s = spec(job);
    const uid = job.metadata.uid ?? '';
    const tmeta = asObject(asObject(s.template).metadata);
    const tl = asStringMap(tmeta.labels);
    if (s.manualSelector !== true && tl['batch.kubernetes.io/controller-uid'] !== uid) {
      const labels = {
        ...tl,
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': name(job),
        'controller-uid': uid,
        'job-name': name(job),
      };
      const next = clone(job);
      next.spec = {
        ...s,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
        template: { ...asObject(s.template), metadata: { ...tmeta, labels } },
      };
      next.metadata.labels = {
        ...next.metadata.labels,
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': name(job),
        'controller-uid': uid,
        'job-name': name(job),
      };
      put(c, def, next);
      continue;
    }
    if (jobFinished(job)) continue;
    const completions = asNumber(s.completions) ?? 1;
    const parallelism = asNumber(s.parallelism) ?? 1;
    const pods = livePods(c, job);
    const succeeded = pods.filter((p) => status(p).phase === 'Succeeded').length;
    const failed = pods.filter((p) => status(p).phase === 'Failed').length;
    const active = pods.filter((p) => status(p).phase !== 'Succeeded' && status(p).phase !== 'Failed');
    if (s.suspend !== true) {
      for (let i = active.length; i < parallelism && succeeded + i < completions; i++)
        tryCreate(c, D.pods(c), podFromTemplate(job, asObject(s.template), undefined));
    }
    const cur = c.get(def, job.metadata.namespace, name(job));
    if (!cur) continue;
    const st: JsonObject = { ...status(cur) };
    st.startTime ??= now(c);
    const nowActive = livePods(c, job).filter(
      (p) => status(p).phase !== 'Succeeded' && status(p).phase !== 'Failed',
    ).length;
    if (nowActive) st.active = nowActive;
    else delete st.active;
    if (succeeded) st.succeeded = succeeded;
    if (failed) st.failed = failed;
    st.ready = livePods(c, job).filter(podReady).length;
    st.terminating = 0;
    st.uncountedTerminatedPods = {};
    if (succeeded >= completions) {
      st.completionTime = now(c);
      st.conditions = setCondition(
        c,
        setCondition(
          c,
          st.conditions,
          'SuccessCriteriaMet',
          'True',
          'CompletionsReached',
          'Reached expected number of succeeded pods',
        ),
        'Complete',
        'True',
        'CompletionsReached',
        'Reached expected number of succeeded pods',
      );
      delete st.active;
    }
    put(c, def, { ...clone(cur), status: st });
  }
}

function volumes(c: Cluster): void {
  const pvcDef = D.pvcs(c);
  const pvDef = D.pvs(c);
  for (const pvc of c.list(pvcDef)) {
    const s = spec(pvc);
    const st = status(pvc);
    if (st.phase === 'Bound') {
      const pv = c.get(pvDef, undefined, asString(s.volumeName) ?? '');
      if (!pv) put(c, pvcDef, { ...clone(pvc), status: { phase: 'Lost' } });
      continue;
    }
    const scName = asString(s.storageClassName);
    const requested = asString(dig(s, 'resources', 'requests', 'storage')) ?? '1Gi';
    const bind = (pv: KubeObject) => {
      const next = clone(pvc);
      next.metadata.annotations = {
        ...next.metadata.annotations,
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
      };
      next.spec = { ...s, volumeName: name(pv) };
      put(c, pvcDef, next);
      const after = c.get(pvcDef, pvc.metadata.namespace, name(pvc))!;
      put(c, pvcDef, {
        ...clone(after),
        status: { phase: 'Bound', accessModes: spec(pv).accessModes, capacity: asObject(spec(pv).capacity) },
      });
    };
    if (typeof s.volumeName === 'string' && s.volumeName) {
      const pv = c.get(pvDef, undefined, s.volumeName);
      if (pv && (!dig(pv, 'spec', 'claimRef') || dig(pv, 'spec', 'claimRef', 'uid') === pvc.metadata.uid)) {
        put(c, pvDef, {
          ...clone(pv),
          spec: {
            ...spec(pv),
            claimRef: {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              name: name(pvc),
              namespace: pvc.metadata.namespace,
              uid: pvc.metadata.uid,
              resourceVersion: pvc.metadata.resourceVersion,
            },
          },
          status: { phase: 'Bound' },
        });
        bind(c.get(pvDef, undefined, s.volumeName)!);
      }
      continue;
    }
    if (!scName) {
      const pv = c
        .list(pvDef)
        .find(
          (v) =>
            status(v).phase === 'Available' &&
            !spec(v).storageClassName &&
            parseQuantity(dig(v, 'spec', 'capacity', 'storage')) >= parseQuantity(requested),
        );
      if (pv) {
        put(c, pvDef, {
          ...clone(pv),
          spec: {
            ...spec(pv),
            claimRef: {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              name: name(pvc),
              namespace: pvc.metadata.namespace,
              uid: pvc.metadata.uid,
            },
          },
          status: { phase: 'Bound' },
        });
        bind(c.get(pvDef, undefined, name(pv))!);
      }
      continue;
    }
    const sc = c.get(D.scs(c), undefined, scName);
    if (!sc) {
      event(
        c,
        pvc,
        'Warning',
        'ProvisioningFailed',
        `storageclass.storage.k8s.io "${scName}" not found`,
        'persistentvolume-controller',
      );
      continue;
    }
    const selectedNode = pvc.metadata.annotations?.['volume.kubernetes.io/selected-node'];
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !selectedNode) {
      event(
        c,
        pvc,
        'Normal',
        'WaitForFirstConsumer',
        'waiting for first consumer to be created before binding',
        'persistentvolume-controller',
      );
      continue;
    }
    const node = selectedNode ? c.getByKey('/nodes', undefined, selectedNode) : undefined;
    const zone = node?.metadata.labels?.['topology.kubernetes.io/zone'] ?? defaultZones(c.info)[0]!;
    const pvName = `pvc-${pvc.metadata.uid}`;
    const provisioner = asString(sc.provisioner) ?? CSI_DRIVER[c.info.cloud];
    if (!c.get(pvDef, undefined, pvName)) {
      c.create(
        pvDef,
        {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: {
            name: pvName,
            annotations: {
              'pv.kubernetes.io/provisioned-by': provisioner,
              'volume.kubernetes.io/provisioner-deletion-secret-name': '',
              'volume.kubernetes.io/provisioner-deletion-secret-namespace': '',
            },
            finalizers: [
              'external-provisioner.volume.kubernetes.io/finalizer',
              'kubernetes.io/pv-protection',
            ],
          },
          spec: {
            accessModes: asArray(s.accessModes).length ? s.accessModes : ['ReadWriteOnce'],
            capacity: { storage: requested },
            claimRef: {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              name: name(pvc),
              namespace: pvc.metadata.namespace,
              uid: pvc.metadata.uid,
              resourceVersion: pvc.metadata.resourceVersion,
            },
            csi: {
              driver: provisioner,
              fsType: 'ext4',
              volumeHandle: volumeHandle(c.info, pvName, zone),
              volumeAttributes: {
                'storage.kubernetes.io/csiProvisionerIdentity': `${shortHash(c.id, 13)}-${provisioner}`,
              },
            },
            nodeAffinity: {
              required: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] },
                    ],
                  },
                ],
              },
            },
            persistentVolumeReclaimPolicy: asString(sc.reclaimPolicy) ?? 'Delete',
            storageClassName: scName,
            volumeMode: s.volumeMode ?? 'Filesystem',
          },
        },
        { manager: 'csi-provisioner' },
      );
      const pv = c.get(pvDef, undefined, pvName)!;
      put(c, pvDef, { ...clone(pv), status: { phase: 'Bound' } });
      const seedKey = `seed:${pvc.metadata.namespace}/${name(pvc)}`;
      const seeded = c.volumes.get(seedKey);
      if (seeded) {
        c.volumes.set(pvName, seeded);
        c.volumes.delete(seedKey);
      }
    }
    const next = clone(pvc);
    next.metadata.annotations = {
      ...next.metadata.annotations,
      'volume.beta.kubernetes.io/storage-provisioner': provisioner,
      'volume.kubernetes.io/storage-provisioner': provisioner,
    };
    put(c, pvcDef, next);
    bind(c.get(pvDef, undefined, pvName)!);
  }
  // released / deleted volumes
  for (const pv of c.list(pvDef)) {
    const ref = asObject(spec(pv).claimRef);
    if (!ref.uid) {
      if (!status(pv).phase) put(c, pvDef, { ...clone(pv), status: { phase: 'Available' } });
      continue;
    }
    const claim = c.getByKey('/persistentvolumeclaims', asString(ref.namespace), asString(ref.name) ?? '');
    if (claim && claim.metadata.uid === ref.uid) continue;
    if (spec(pv).persistentVolumeReclaimPolicy === 'Delete') c.remove(pvDef, undefined, name(pv));
    else if (status(pv).phase !== 'Released') put(c, pvDef, { ...clone(pv), status: { phase: 'Released' } });
  }
}

function event(
  c: Cluster,
  about: KubeObject,
  type: string,
  reason: string,
  message: string,
  component: string,
): void {
  const ns = about.metadata.namespace ?? 'default';
  const evName = `${name(about)}.${shortHash(`${about.metadata.uid}/${reason}`, 16)}`;
  const live = c.getByKey('/events', ns, evName);
  if (live && live.message === message) return;
  const ev: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: evName, namespace: ns },
    involvedObject: {
      apiVersion: about.apiVersion,
      kind: about.kind,
      name: name(about),
      namespace: about.metadata.namespace,
      uid: about.metadata.uid,
      resourceVersion: about.metadata.resourceVersion,
    },
    reason,
    message,
    type,
    source: { component },
    count: 1,
    firstTimestamp: now(c),
    lastTimestamp: now(c),
    reportingComponent: component,
    reportingInstance: '',
  };
  if (live) put(c, D.events(c), { ...ev, metadata: live.metadata });
  else c.create(D.events(c), ev, { manager: component });
}

function podClaims(p: KubeObject): string[] {
  return asArray(spec(p).volumes)
    .map((v) => asString(dig(v, 'persistentVolumeClaim', 'claimName')))
    .filter((x): x is string => !!x);
}

function scheduler(c: Cluster): void {
  const podDef = D.pods(c);
  const nodes = schedNodes(c);
  const usage = new Map<string, Usage>();
  const pods = c.list(podDef);
  for (const p of pods) {
    const n = asString(spec(p).nodeName);
    if (!n || status(p).phase === 'Succeeded' || status(p).phase === 'Failed') continue;
    const u = usage.get(n) ?? { cpu: 0, memory: 0, pods: 0 };
    const r = podRequests(spec(p));
    usage.set(n, { cpu: u.cpu + r.cpu, memory: u.memory + r.memory, pods: u.pods + 1 });
  }
  const pending = pods
    .filter(
      (p) =>
        !spec(p).nodeName &&
        !p.metadata.deletionTimestamp &&
        (spec(p).schedulerName ?? 'default-scheduler') === 'default-scheduler',
    )
    .sort(
      (a, b) =>
        String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) ||
        name(a).localeCompare(name(b)),
    );
  for (const p of pending) {
    const ns = p.metadata.namespace;
    let message: string | undefined;
    const volumeTerms: unknown[] = [];
    const waiting: KubeObject[] = [];
    for (const claim of podClaims(p)) {
      const pvc = c.getByKey('/persistentvolumeclaims', ns, claim);
      if (!pvc) {
        message = `0/${nodes.length} nodes are available: persistentvolumeclaim "${claim}" not found. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
        break;
      }
      if (status(pvc).phase === 'Bound') {
        const pv = c.getByKey('/persistentvolumes', undefined, asString(spec(pvc).volumeName) ?? '');
        const terms = dig(pv, 'spec', 'nodeAffinity', 'required', 'nodeSelectorTerms');
        if (terms) volumeTerms.push(terms);
        continue;
      }
      const scName = asString(spec(pvc).storageClassName);
      const sc = scName ? c.getByKey('storage.k8s.io/storageclasses', undefined, scName) : undefined;
      if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') {
        message = `0/${nodes.length} nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
        break;
      }
      waiting.push(pvc);
    }
    const result = message ? { message } : scheduleOn(spec(p), nodes, usage, volumeTerms);
    const cur = c.get(podDef, ns, name(p))!;
    if (result.node) {
      for (const pvc of waiting) {
        const next = clone(pvc);
        next.metadata.annotations = {
          ...next.metadata.annotations,
          'volume.kubernetes.io/selected-node': result.node,
        };
        put(c, D.pvcs(c), next);
      }
      const bound = clone(cur);
      bound.spec = { ...spec(cur), nodeName: result.node };
      put(c, podDef, bound);
      const after = c.get(podDef, ns, name(p))!;
      put(c, podDef, {
        ...clone(after),
        status: {
          ...status(after),
          conditions: setCondition(c, status(after).conditions, 'PodScheduled', 'True'),
        },
      });
      const r = podRequests(spec(p));
      const u = usage.get(result.node) ?? { cpu: 0, memory: 0, pods: 0 };
      usage.set(result.node, { cpu: u.cpu + r.cpu, memory: u.memory + r.memory, pods: u.pods + 1 });
    } else {
      put(c, podDef, {
        ...clone(cur),
        status: {
          ...status(cur),
          phase: 'Pending',
          conditions: setCondition(
            c,
            status(cur).conditions,
            'PodScheduled',
            'False',
            'Unschedulable',
            result.message,
          ),
        },
      });
      event(c, cur, 'Warning', 'FailedScheduling', result.message ?? 'unschedulable', 'default-scheduler');
    }
  }
}

function kubelet(c: Cluster): void {
  const podDef = D.pods(c);
  for (const p of c.list(podDef)) {
    const nodeName = asString(spec(p).nodeName);
    if (!nodeName) continue;
    const st = status(p);
    if (st.phase === 'Succeeded' || st.phase === 'Failed') continue;
    const node = c.getByKey('/nodes', undefined, nodeName);
    if (!node) {
      if (p.metadata.ownerReferences?.length) c.remove(podDef, p.metadata.namespace, name(p));
      else
        put(c, podDef, {
          ...clone(p),
          status: {
            ...st,
            phase: 'Failed',
            reason: 'NodeLost',
            message: `Node ${nodeName} which was running pod ${name(p)} is unresponsive`,
          },
        });
      continue;
    }
    const ns = p.metadata.namespace;
    const s = spec(p);
    let waitingReason: string | undefined;
    let waitingMessage: string | undefined;
    for (const v of asArray(s.volumes).map(asObject)) {
      const claim = asString(dig(v, 'persistentVolumeClaim', 'claimName'));
      if (
        claim &&
        status(
          c.getByKey('/persistentvolumeclaims', ns, claim) ?? { apiVersion: 'v1', kind: 'x', metadata: {} },
        ).phase !== 'Bound'
      )
        waitingReason = 'ContainerCreating';
      const cm = asObject(v.configMap);
      if (cm.name && cm.optional !== true && !c.getByKey('/configmaps', ns, String(cm.name)))
        waitingReason = 'ContainerCreating';
      const sec = asObject(v.secret);
      if (sec.secretName && sec.optional !== true && !c.getByKey('/secrets', ns, String(sec.secretName)))
        waitingReason = 'ContainerCreating';
    }
    if (!waitingReason)
      for (const ct of asArray(s.containers).map(asObject)) {
        for (const ef of asArray(ct.envFrom).map(asObject)) {
          const cmr = asObject(ef.configMapRef);
          const sr = asObject(ef.secretRef);
          if (cmr.name && cmr.optional !== true && !c.getByKey('/configmaps', ns, String(cmr.name))) {
            waitingReason = 'CreateContainerConfigError';
            waitingMessage = `configmap "${cmr.name}" not found`;
          }
          if (sr.name && sr.optional !== true && !c.getByKey('/secrets', ns, String(sr.name))) {
            waitingReason = 'CreateContainerConfigError';
            waitingMessage = `secret "${sr.name}" not found`;
          }
        }
        for (const e of asArray(ct.env).map(asObject)) {
          const ref = asObject(asObject(e.valueFrom).secretKeyRef);
          const cref = asObject(asObject(e.valueFrom).configMapKeyRef);
          if (ref.name && ref.optional !== true && !c.getByKey('/secrets', ns, String(ref.name))) {
            waitingReason = 'CreateContainerConfigError';
            waitingMessage = `secret "${ref.name}" not found`;
          }
          if (cref.name && cref.optional !== true && !c.getByKey('/configmaps', ns, String(cref.name))) {
            waitingReason = 'CreateContainerConfigError';
            waitingMessage = `configmap "${cref.name}" not found`;
          }
        }
      }
    const hostIP = asString(dig(asArray(status(node).addresses)[0], 'address')) ?? '10.0.0.1';
    const podIP =
      asString(st.podIP) ??
      `${podCidrBase(c.info.cloud)}.${Math.floor(c.next('podip') / 250) % 250}.${(c.counters.podip! % 250) + 2}`;
    const isJob = p.metadata.ownerReferences?.some((r) => r.kind === 'Job');
    const started = !waitingReason;
    const ts = asString(st.startTime) ?? now(c);
    const containerStatus = (ct: JsonObject, init: boolean) => {
      const base = {
        name: ct.name,
        image: ct.image,
        imageID: started
          ? `${String(ct.image).split(':')[0]}@sha256:${shortHash(String(ct.image), 64).replace(/[^0-9a-f]/g, 'a')}`
          : '',
        ...(started
          ? {
              containerID: `containerd://${shortHash(`${p.metadata.uid}/${ct.name}`, 64).replace(/[^0-9a-f]/g, 'b')}`,
            }
          : {}),
        restartCount: 0,
      };
      if (!started)
        return {
          ...base,
          ready: false,
          started: false,
          state: {
            waiting: { reason: waitingReason, ...(waitingMessage ? { message: waitingMessage } : {}) },
          },
          lastState: {},
        };
      if (init || isJob)
        return {
          ...base,
          ready: false,
          started: false,
          state: {
            terminated: {
              exitCode: 0,
              reason: 'Completed',
              startedAt: ts,
              finishedAt: ts,
              containerID: base.containerID,
            },
          },
          lastState: {},
        };
      return { ...base, ready: true, started: true, state: { running: { startedAt: ts } }, lastState: {} };
    };
    let conds = st.conditions;
    conds = setCondition(c, conds, 'PodReadyToStartContainers', started ? 'True' : 'False');
    conds = setCondition(c, conds, 'Initialized', 'True');
    const ready = started && !isJob;
    conds = setCondition(
      c,
      conds,
      'Ready',
      ready ? 'True' : 'False',
      ready ? undefined : isJob ? 'PodCompleted' : 'ContainersNotReady',
      ready || isJob
        ? undefined
        : `containers with unready status: [${asArray(s.containers)
            .map((x) => asString(asObject(x).name))
            .join(' ')}]`,
    );
    conds = setCondition(
      c,
      conds,
      'ContainersReady',
      ready ? 'True' : 'False',
      ready ? undefined : isJob ? 'PodCompleted' : 'ContainersNotReady',
      ready || isJob
        ? undefined
        : `containers with unready status: [${asArray(s.containers)
            .map((x) => asString(asObject(x).name))
            .join(' ')}]`,
    );
    conds = setCondition(c, conds, 'PodScheduled', 'True');
    const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
    const sortedConds = asArray(conds)
      .map(asObject)
      .sort((a, b) => order.indexOf(String(a.type)) - order.indexOf(String(b.type)));
    const next: JsonObject = {
      ...st,
      phase: started ? (isJob ? 'Succeeded' : 'Running') : 'Pending',
      conditions: sortedConds,
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: ts,
      containerStatuses: asArray(s.containers).map((x) => containerStatus(asObject(x), false)),
      qosClass: st.qosClass ?? qosClass(s),
    };
    if (asArray(s.initContainers).length)
      next.initContainerStatuses = asArray(s.initContainers).map((x) => containerStatus(asObject(x), true));
    put(c, podDef, { ...clone(p), status: next });
  }
}

function services(c: Cluster): void {
  const svcDef = D.svcs(c);
  const epDef = D.eps(c);
  for (const svc of c.list(svcDef)) {
    const s = spec(svc);
    if (s.type === 'LoadBalancer') {
      const ing = asArray(dig(svc, 'status', 'loadBalancer', 'ingress'));
      if (!ing.length) {
        const addr = loadBalancerIngress(
          c.info,
          c.next('lb'),
          `${svc.metadata.namespace}/${name(svc)}`,
          svc.metadata.annotations ?? {},
        );
        put(c, svcDef, {
          ...clone(svc),
          status: { loadBalancer: { ingress: [addr.ip ? { ...addr, ipMode: 'VIP' } : addr] } },
        });
      }
    } else if (asArray(dig(svc, 'status', 'loadBalancer', 'ingress')).length) {
      put(c, svcDef, { ...clone(svc), status: { loadBalancer: {} } });
    }
    if (!isObject(s.selector)) continue;
    const ns = svc.metadata.namespace;
    const selector = { matchLabels: s.selector };
    const pods = c
      .list('/pods', ns)
      .filter(
        (p) =>
          matchLabelSelector(selector, p.metadata.labels) && status(p).podIP && status(p).phase === 'Running',
      );
    const addr = (p: KubeObject) => ({
      ip: status(p).podIP,
      nodeName: spec(p).nodeName,
      targetRef: { kind: 'Pod', name: name(p), namespace: ns, uid: p.metadata.uid },
    });
    const readyPods = pods.filter(podReady);
    const notReady = pods.filter((p) => !podReady(p));
    const ports = asArray(s.ports)
      .map(asObject)
      .map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
        protocol: p.protocol ?? 'TCP',
      }));
    const subsets = pods.length
      ? [
          {
            ...(readyPods.length ? { addresses: readyPods.map(addr) } : {}),
            ...(notReady.length ? { notReadyAddresses: notReady.map(addr) } : {}),
            ports,
          },
        ]
      : undefined;
    const live = c.get(epDef, ns, name(svc));
    const ep: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        ...(live?.metadata ?? {}),
        name: name(svc),
        namespace: ns,
        labels: {
          ...(svc.metadata.labels ?? {}),
          'endpoints.kubernetes.io/managed-by': 'endpoint-controller',
        },
      },
      ...(subsets ? { subsets } : {}),
    };
    if (!live) c.create(epDef, ep, { manager: 'kube-controller-manager' });
    else put(c, epDef, ep);
  }
  endpointSlices(c);
  for (const ep of c.list(epDef)) {
    if (ep.metadata.labels?.['endpoints.kubernetes.io/managed-by'] !== 'endpoint-controller') continue;
    if (!c.get(svcDef, ep.metadata.namespace, name(ep))) c.remove(epDef, ep.metadata.namespace, name(ep));
  }
  const ingDef = D.ings(c);
  const classes = c.list(c.defByPlural('networking.k8s.io', 'ingressclasses'));
  const defaultClass = classes.find(
    (x) => x.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true',
  );
  for (const ing of c.list(ingDef)) {
    // only an installed ingress controller (its IngressClass exists) gives the Ingress an address
    const cls =
      asString(dig(ing, 'spec', 'ingressClassName')) ??
      ing.metadata.annotations?.['kubernetes.io/ingress.class'] ??
      (defaultClass ? name(defaultClass) : undefined);
    const served = !!cls && classes.some((x) => name(x) === cls);
    const has = asArray(dig(ing, 'status', 'loadBalancer', 'ingress')).length > 0;
    if (!served) {
      if (has) put(c, ingDef, { ...clone(ing), status: { loadBalancer: {} } });
      continue;
    }
    if (has) continue;
    const addr = loadBalancerIngress(
      c.info,
      c.next('lb'),
      `ingress/${ing.metadata.namespace}/${name(ing)}`,
      {},
    );
    const a =
      c.info.cloud === 'aws' && addr.hostname
        ? {
            hostname: addr.hostname.replace(
              /^a/,
              `k8s-${(ing.metadata.namespace ?? '').slice(0, 8)}-${name(ing).slice(0, 8)}-`,
            ),
          }
        : addr;
    put(c, ingDef, { ...clone(ing), status: { loadBalancer: { ingress: [a] } } });
  }
}

function workloadStatus(c: Cluster): void {
  const rsDef = D.rss(c);
  for (const rs of c.list(rsDef)) {
    const pods = livePods(c, rs);
    const ready = pods.filter(podReady).length;
    const st: JsonObject = {
      ...status(rs),
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation,
    };
    if (!ready) {
      delete st.readyReplicas;
      delete st.availableReplicas;
    }
    put(c, rsDef, { ...clone(rs), status: st });
  }
  const dDef = D.deploys(c);
  for (const d of c.list(dDef)) {
    const s = spec(d);
    const desired = asNumber(s.replicas) ?? 1;
    const rss = owned(c, rsDef, d);
    const hash = podTemplateHash(asObject(s.template));
    const newRs = rss.find((r) => r.metadata.labels?.['pod-template-hash'] === hash);
    const sum = (k: string) => rss.reduce((n, r) => n + (asNumber(status(r)[k]) ?? 0), 0);
    const replicas = sum('replicas');
    const ready = sum('readyReplicas');
    const updated = newRs ? (asNumber(status(newRs).replicas) ?? 0) : 0;
    const maxUnavailable = pctOrInt(
      dig(s, 'strategy', 'rollingUpdate', 'maxUnavailable') ?? '25%',
      desired,
      false,
    );
    const available = ready;
    const minAvailable =
      available >= desired - (dig(s, 'strategy', 'type') === 'Recreate' ? 0 : maxUnavailable);
    const newReady = newRs ? (asNumber(status(newRs).readyReplicas) ?? 0) : 0;
    const complete =
      updated === desired && replicas === desired && available === desired && newReady === desired;
    const prev = status(d);
    let conds = setCondition(
      c,
      prev.conditions,
      'Available',
      minAvailable ? 'True' : 'False',
      minAvailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      minAvailable
        ? 'Deployment has minimum availability.'
        : 'Deployment does not have minimum availability.',
      true,
    );
    const rsName = newRs ? name(newRs) : name(d);
    const progressing = asArray(prev.conditions)
      .map(asObject)
      .find((x) => x.type === 'Progressing');
    const deadline = (asNumber(s.progressDeadlineSeconds) ?? 600) * 1000;
    const since = Date.parse(asString(progressing?.lastUpdateTime) ?? '') || c.now();
    if (complete)
      conds = setCondition(
        c,
        conds,
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${rsName}" has successfully progressed.`,
        true,
      );
    else if (progressing?.reason === 'ReplicaSetUpdated' && c.now() - since > deadline)
      conds = setCondition(
        c,
        conds,
        'Progressing',
        'False',
        'ProgressDeadlineExceeded',
        `ReplicaSet "${rsName}" has timed out progressing.`,
        true,
      );
    else if (
      progressing?.reason !== 'ProgressDeadlineExceeded' ||
      progressing.message !== `ReplicaSet "${rsName}" has timed out progressing.`
    )
      conds = setCondition(
        c,
        conds,
        'Progressing',
        'True',
        'ReplicaSetUpdated',
        `ReplicaSet "${rsName}" is progressing.`,
        true,
      );
    const st: JsonObject = {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      ...(Math.max(0, replicas - available) > 0 || desired > available
        ? { unavailableReplicas: Math.max(0, Math.max(replicas, desired) - available) }
        : {}),
      conditions: conds.sort((a, b) => (a.type === 'Available' ? -1 : b.type === 'Available' ? 1 : 0)),
    };
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'] as const)
      if (st[k] === 0) delete st[k];
    put(c, dDef, { ...clone(d), status: st });
  }
  const sDef = D.stss(c);
  for (const sts of c.list(sDef)) {
    const pods = livePods(c, sts);
    const rev = `${name(sts)}-${podTemplateHash(asObject(spec(sts).template))}`;
    const ready = pods.filter(podReady).length;
    const updated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === rev).length;
    const desired = asNumber(spec(sts).replicas) ?? 1;
    put(c, sDef, {
      ...clone(sts),
      status: {
        observedGeneration: sts.metadata.generation,
        replicas: pods.length,
        readyReplicas: ready,
        currentReplicas: updated,
        updatedReplicas: updated,
        availableReplicas: ready,
        currentRevision: updated === desired ? rev : (asString(status(sts).currentRevision) ?? rev),
        updateRevision: rev,
        collisionCount: 0,
      },
    });
  }
}

function endpointSlices(c: Cluster): void {
  const def = c.defByPlural('discovery.k8s.io', 'endpointslices');
  for (const svc of c.list(D.svcs(c))) {
    const s = spec(svc);
    if (!isObject(s.selector)) continue;
    const ns = svc.metadata.namespace;
    const sliceName = `${name(svc).slice(0, 57)}-${shortHash(svc.metadata.uid ?? '', 5)}`;
    const pods = c
      .list('/pods', ns)
      .filter(
        (p) =>
          matchLabelSelector({ matchLabels: s.selector }, p.metadata.labels) &&
          status(p).podIP &&
          status(p).phase === 'Running',
      );
    const live = c.get(def, ns, sliceName);
    const slice: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        ...(live?.metadata ?? {}),
        name: sliceName,
        namespace: ns,
        labels: {
          ...(svc.metadata.labels ?? {}),
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          'kubernetes.io/service-name': name(svc),
        },
        ownerReferences: [{ ...ownerRef(svc), blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: pods.map((p) => ({
        addresses: [status(p).podIP],
        conditions: { ready: podReady(p), serving: podReady(p), terminating: false },
        nodeName: spec(p).nodeName,
        targetRef: { kind: 'Pod', name: name(p), namespace: ns, uid: p.metadata.uid },
      })),
      ports: asArray(s.ports)
        .map(asObject)
        .map((p) => ({
          ...(p.name ? { name: p.name } : { name: '' }),
          port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
          protocol: p.protocol ?? 'TCP',
        })),
    };
    if (!live) c.create(def, slice, { manager: 'endpointslice-controller' });
    else put(c, def, slice);
  }
}

function policyStatus(c: Cluster): void {
  const pdbDef = c.defByPlural('policy', 'poddisruptionbudgets');
  for (const pdb of c.list(pdbDef)) {
    const s = spec(pdb);
    const pods = c
      .list('/pods', pdb.metadata.namespace)
      .filter((p) => matchLabelSelector(s.selector, p.metadata.labels) && !p.metadata.deletionTimestamp);
    const healthy = pods.filter(podReady).length;
    const expected = pods.length;
    const desired =
      s.minAvailable !== undefined
        ? pctOrInt(s.minAvailable, expected, true)
        : Math.max(0, expected - pctOrInt(s.maxUnavailable ?? 0, expected, true));
    const allowed = Math.max(0, healthy - desired);
    put(c, pdbDef, {
      ...clone(pdb),
      status: {
        observedGeneration: pdb.metadata.generation,
        currentHealthy: healthy,
        desiredHealthy: desired,
        expectedPods: expected,
        disruptionsAllowed: allowed,
        conditions: setCondition(
          c,
          status(pdb).conditions,
          'DisruptionAllowed',
          allowed > 0 ? 'True' : 'False',
          allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
        ),
      },
    });
  }
  const hpaDef = c.defByPlural('autoscaling', 'horizontalpodautoscalers');
  for (const hpa of c.list(hpaDef)) {
    const ref = asObject(spec(hpa).scaleTargetRef);
    const target = c
      .list(D.deploys(c), hpa.metadata.namespace)
      .concat(c.list(D.stss(c), hpa.metadata.namespace))
      .find((o) => o.kind === ref.kind && name(o) === ref.name);
    const current = asNumber(dig(target, 'status', 'replicas')) ?? 0;
    const min = asNumber(spec(hpa).minReplicas) ?? 1;
    const max = asNumber(spec(hpa).maxReplicas) ?? min;
    let conds = setCondition(
      c,
      status(hpa).conditions,
      'AbleToScale',
      target ? 'True' : 'False',
      target ? 'ReadyForNewScale' : 'FailedGetScale',
      target
        ? 'recommended size matches current size'
        : `${String(ref.kind)}.apps "${String(ref.name)}" not found`,
    );
    conds = setCondition(
      c,
      conds,
      'ScalingActive',
      target ? 'True' : 'False',
      target ? 'ValidMetricFound' : 'FailedGetScale',
    );
    put(c, hpaDef, {
      ...clone(hpa),
      status: {
        currentReplicas: current,
        desiredReplicas: Math.min(max, Math.max(min, current)),
        conditions: conds,
      },
    });
  }
}
