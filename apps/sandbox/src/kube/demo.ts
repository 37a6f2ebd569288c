/** The demo web shop installed into prod clusters. */
import { createHash } from 'node:crypto';
import { defaultStorageClassName, ingressClass, POOL_LABEL, registryFor } from './cloud.ts';
import type { Cluster, VolumeFile } from './cluster.ts';
import { admit, reconcile } from './controllers.ts';
import { asString, dig, type KubeObject } from './types.ts';

function pickPool(c: Cluster): Record<string, string> | undefined {
  const preferred = c.info.cloud === 'aws' ? 'general' : c.info.cloud === 'azure' ? 'apps' : 'default-pool';
  const untainted = c.info.nodePools.filter(
    (p) => p.nodeCount > 0 && !p.taints.some((t) => t.effect !== 'PreferNoSchedule') && p.os !== 'windows',
  );
  const pool = untainted.find((p) => p.name === preferred) ?? untainted.find((p) => !p.spot) ?? untainted[0];
  if (!pool) return undefined;
  const key = POOL_LABEL[c.info.cloud];
  const alt = c.info.cloud === 'azure' ? 'kubernetes.azure.com/agentpool' : undefined;
  if (pool.labels[key]) return { [key]: pool.labels[key] };
  if (alt && pool.labels[alt]) return { [alt]: pool.labels[alt] };
  return undefined;
}

function identityAnnotation(c: Cluster, sa: string): Record<string, string> {
  switch (c.info.cloud) {
    case 'aws':
      return {
        'eks.amazonaws.com/role-arn': `arn:aws:iam::${/^\d{12}$/.test(c.info.scope) ? c.info.scope : '123456789012'}:role/${c.info.name}-shop-${sa}`,
      };
    case 'azure': {
      const h = createHash('sha256').update(`${c.info.scope}/${c.info.name}/${sa}`).digest('hex');
      return {
        'azure.workload.identity/client-id': `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`,
      };
    }
    case 'gcp':
      return { 'iam.gke.io/gcp-service-account': `shop-${sa}@${c.info.scope}.iam.gserviceaccount.com` };
  }
}

function lbAnnotations(c: Cluster): Record<string, string> {
  switch (c.info.cloud) {
    case 'aws':
      return {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      };
    case 'azure':
      return {
        'service.beta.kubernetes.io/azure-load-balancer-internal': 'false',
        'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/healthz',
      };
    case 'gcp':
      return {
        'networking.gke.io/load-balancer-type': 'External',
        'cloud.google.com/neg': '{"ingress":true}',
      };
  }
}

function ingressAnnotations(c: Cluster): Record<string, string> {
  switch (c.info.cloud) {
    case 'aws':
      return {
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/target-type': 'ip',
      };
    case 'azure':
      return {};
    case 'gcp':
      return { 'kubernetes.io/ingress.allow-http': 'true' };
  }
}

/** Deterministic pseudo-random bytes, so checksums are reproducible. */
export function demoBytes(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let off = 0; off < size; off += 32) {
    block.copy(out, off, 0, Math.min(32, size - off));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

export function demoDbFiles(mtime: number): VolumeFile[] {
  const f = (path: string, data: Buffer, mode = 0o600): VolumeFile => ({
    path,
    type: 'file',
    mode,
    uid: 999,
    gid: 999,
    mtime,
    data,
  });
  const d = (path: string): VolumeFile => ({
    path,
    type: 'dir',
    mode: 0o700,
    uid: 999,
    gid: 999,
    mtime,
    data: Buffer.alloc(0),
  });
  return [
    d('pgdata'),
    f('pgdata/PG_VERSION', Buffer.from('16\n')),
    d('pgdata/base'),
    d('pgdata/base/1'),
    f('pgdata/base/1/1259', demoBytes('base/1/1259', 8192 * 4)),
    f('pgdata/base/1/1249', demoBytes('base/1/1249', 8192 * 8)),
    d('pgdata/base/16384'),
    f('pgdata/base/16384/16385', demoBytes('shop/orders', 8192 * 16)),
    d('pgdata/global'),
    f('pgdata/global/pg_control', demoBytes('global/pg_control', 8192)),
    f(
      'pgdata/postgresql.conf',
      Buffer.from("listen_addresses = '*'\nmax_connections = 100\nshared_buffers = 128MB\n"),
      0o600,
    ),
    f('pgdata/pg_hba.conf', Buffer.from('host all all all scram-sha-256\n'), 0o600),
  ];
}

export function seedDemo(c: Cluster): void {
  const ns = 'shop';
  const registry = registryFor(c.info);
  const nodeSelector = pickPool(c);
  const partOf = { 'app.kubernetes.io/part-of': 'dolly-demo-shop' };
  const put = (obj: KubeObject) => {
    const def = c.defForKind(obj.apiVersion, obj.kind);
    if (!def) throw new Error(`no resource for ${obj.apiVersion} ${obj.kind}`);
    if (c.get(def, obj.metadata.namespace, obj.metadata.name ?? '')) return;
    admit(c, def, obj, undefined);
    c.create(def, obj, { manager: 'helm' });
  };
  put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ...partOf, env: 'prod' } } });
  reconcile(c);
  const sas = ['frontend', 'cart', 'catalog', 'db'];
  for (const sa of sas)
    put({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: sa, namespace: ns, labels: partOf, annotations: identityAnnotation(c, sa) },
    });
  put({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'frontend-config', namespace: ns, labels: partOf },
    data: {
      CATALOG_URL: 'http://catalog.shop.svc.cluster.local:8080',
      CART_URL: 'http://cart.shop.svc.cluster.local:8080',
      FEATURE_FLAGS: 'recommendations,new-checkout',
    },
  });
  put({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'catalog-seed', namespace: ns, labels: partOf },
    data: {
      'products.json': JSON.stringify([
        { sku: 'MUG-001', name: 'Dolly mug', price: 12.5 },
        { sku: 'TEE-002', name: 'Dolly tee', price: 25 },
      ]),
    },
  });
  put({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-credentials', namespace: ns, labels: partOf },
    type: 'Opaque',
    data: {
      POSTGRES_USER: Buffer.from('shop').toString('base64'),
      POSTGRES_PASSWORD: Buffer.from('sandbox-demo-password').toString('base64'),
      POSTGRES_DB: Buffer.from('shop').toString('base64'),
    },
  });
  const wiLabels: Record<string, string> =
    c.info.cloud === 'azure' ? { 'azure.workload.identity/use': 'true' } : {};
  const deploy = (name: string, replicas: number, version: string, extra: Record<string, unknown> = {}) =>
    put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns, labels: { app: name, ...partOf } },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name, ...partOf, ...wiLabels } },
          spec: {
            serviceAccountName: name,
            ...(nodeSelector && name === 'frontend' ? { nodeSelector } : {}),
            containers: [
              {
                name,
                image: `${registry}/${name}:${version}`,
                ports: [{ name: 'http', containerPort: 8080 }],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
                ...extra,
              },
            ],
          },
        },
      },
    });
  deploy('frontend', 2, '1.4.2', { envFrom: [{ configMapRef: { name: 'frontend-config' } }] });
  deploy('cart', 1, '2.0.1');
  deploy('catalog', 1, '1.9.0', {
    env: [
      { name: 'DB_HOST', value: 'db.shop.svc.cluster.local' },
      {
        name: 'DB_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'POSTGRES_PASSWORD' } },
      },
    ],
    volumeMounts: [{ name: 'seed', mountPath: '/seed', readOnly: true }],
  });
  // catalog mounts the seed config map
  const catalog = c.getByKey('apps/deployments', ns, 'catalog');
  if (catalog && !dig(catalog, 'spec', 'template', 'spec', 'volumes')) {
    const next = structuredClone(catalog);
    const tspec = dig(next, 'spec', 'template', 'spec') as Record<string, unknown>;
    tspec.volumes = [{ name: 'seed', configMap: { name: 'catalog-seed' } }];
    c.putInternal(c.defByPlural('apps', 'deployments'), next);
  }
  const svc = (name: string, type: string, annotations: Record<string, string> = {}, port = 80) =>
    put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name,
        namespace: ns,
        labels: { app: name, ...partOf },
        ...(Object.keys(annotations).length ? { annotations } : {}),
      },
      spec: {
        type,
        selector: { app: name },
        ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }],
      },
    });
  svc('frontend', 'LoadBalancer', lbAnnotations(c));
  svc('cart', 'ClusterIP', {}, 8080);
  svc('catalog', 'ClusterIP', {}, 8080);
  put({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'db', namespace: ns, labels: { app: 'db', ...partOf } },
    spec: {
      clusterIP: 'None',
      selector: { app: 'db' },
      ports: [{ name: 'postgres', port: 5432, targetPort: 5432 }],
    },
  });
  const ic = ingressClass(c.info.cloud);
  put({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'shop', namespace: ns, labels: partOf, annotations: ingressAnnotations(c) },
    spec: {
      ingressClassName: ic.name,
      rules: [
        {
          host: 'shop.dolly-demo.example',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'frontend', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  });
  put({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: ns, labels: { app: 'db', ...partOf } },
    spec: {
      serviceName: 'db',
      replicas: 1,
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db', ...partOf } },
        spec: {
          serviceAccountName: 'db',
          securityContext: { fsGroup: 999 },
          containers: [
            {
              name: 'postgres',
              image: 'postgres:16.4',
              ports: [{ name: 'postgres', containerPort: 5432 }],
              envFrom: [{ secretRef: { name: 'db-credentials' } }],
              env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: defaultStorageClassName(c.info.cloud),
            resources: { requests: { storage: '10Gi' } },
          },
        },
      ],
    },
  });
  put({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly-report', namespace: ns, labels: partOf },
    spec: {
      schedule: '0 2 * * *',
      concurrencyPolicy: 'Forbid',
      jobTemplate: {
        spec: {
          template: {
            metadata: { labels: { app: 'nightly-report', ...partOf } },
            spec: {
              restartPolicy: 'OnFailure',
              serviceAccountName: 'catalog',
              containers: [
                {
                  name: 'report',
                  image: `${registry}/report:1.0.3`,
                  args: ['--since', '24h'],
                  resources: { requests: { cpu: '50m', memory: '64Mi' } },
                },
              ],
            },
          },
        },
      },
    },
  });
  put({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'frontend', namespace: ns, labels: partOf },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
  });
  put({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'frontend', namespace: ns, labels: partOf },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'frontend' } } },
  });
  put({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'db-from-catalog', namespace: ns, labels: partOf },
    spec: {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: 'catalog' } } }],
          ports: [{ port: 5432, protocol: 'TCP' }],
        },
      ],
    },
  });
  put({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'catalog-config-reader', namespace: ns, labels: partOf },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
  });
  put({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'catalog-config-reader', namespace: ns, labels: partOf },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'catalog-config-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'catalog', namespace: ns }],
  });
  reconcile(c);
  // database files on the db-0 volume
  const pvc = c.getByKey('/persistentvolumeclaims', ns, 'data-db-0');
  const pv = asString(dig(pvc, 'spec', 'volumeName'));
  const key = pv ?? `seed:${ns}/data-db-0`;
  const store = c.volumes.get(key) ?? new Map<string, VolumeFile>();
  if (store.size === 0) for (const f of demoDbFiles(Math.floor(c.now() / 1000) - 86400)) store.set(f.path, f);
  c.volumes.set(key, store);
}
