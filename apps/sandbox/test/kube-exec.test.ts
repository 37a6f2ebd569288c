import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { V1Status } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterInfo, type KubeHarness, k8s, pool, startKubeHarness } from './support/kube-harness.ts';

let h: KubeHarness;

interface ExecResult {
  stdout: Buffer;
  stderr: string;
  status: V1Status;
}

async function exec(
  clusterId: string,
  ns: string,
  pod: string,
  container: string,
  command: string[],
  stdin?: Buffer,
): Promise<ExecResult> {
  const ex = new k8s.Exec(h.kubeConfig(clusterId));
  const out = new PassThrough();
  const err = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on('data', (d: Buffer) => outChunks.push(d));
  err.on('data', (d: Buffer) => errChunks.push(d));
  const status = await new Promise<V1Status>((resolve, reject) => {
    ex.exec(ns, pod, container, command, out, err, stdin ? Readable.from([stdin]) : null, false, (s) =>
      resolve(s),
    ).catch(reject);
  });
  return { stdout: Buffer.concat(outChunks), stderr: Buffer.concat(errChunks).toString(), status };
}

beforeAll(async () => {
  h = await startKubeHarness();
  h.hub.ensureCluster('src', clusterInfo('gcp', 'prod', [pool('gcp', 'default-pool', { nodeCount: 2 })]));
  h.hub.ensureCluster('dst', clusterInfo('azure', 'target', [pool('azure', 'apps', { nodeCount: 2 })]));
  h.hub.seedDemoWorkloads('src');
  const core = h.kubeConfig('dst').makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'shop' } } });
  await core.createNamespacedPersistentVolumeClaim({
    namespace: 'shop',
    body: {
      metadata: { name: 'data-db-0' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'managed-csi-premium',
        resources: { requests: { storage: '10Gi' } },
      },
    },
  });
  await core.createNamespacedPod({
    namespace: 'shop',
    body: {
      metadata: { name: 'dolly-mover' },
      spec: {
        containers: [
          {
            name: 'mover',
            image: 'busybox:1.36',
            command: ['sleep', 'infinity'],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }],
      },
    },
  });
});

afterAll(async () => {
  await h?.close();
});

describe('exec over WebSocket', () => {
  const listing = ['sh', '-c', 'cd /var/lib/postgresql/data && find . -type f -exec sha256sum {} + | sort'];

  it('copies a volume with tar from a source pod into a mover pod and verifies checksums', async () => {
    const mover = await h
      .kubeConfig('dst')
      .makeApiClient(k8s.CoreV1Api)
      .readNamespacedPod({ name: 'dolly-mover', namespace: 'shop' });
    expect(mover.status?.phase).toBe('Running');
    const before = await exec('src', 'shop', 'db-0', 'postgres', listing);
    expect(before.status.status).toBe('Success');
    const sums = before.stdout.toString().trim().split('\n');
    expect(sums).toContain(`${createHash('sha256').update('16\n').digest('hex')}  ./pgdata/PG_VERSION`);
    expect(sums.length).toBeGreaterThanOrEqual(5);

    const tar = await exec('src', 'shop', 'db-0', 'postgres', [
      'tar',
      'cf',
      '-',
      '-C',
      '/var/lib/postgresql/data',
      '.',
    ]);
    expect(tar.status.status).toBe('Success');
    expect(tar.stdout.length % 512).toBe(0);
    expect(tar.stdout.length).toBeGreaterThan(200_000);

    const untar = await exec(
      'dst',
      'shop',
      'dolly-mover',
      'mover',
      ['tar', 'xf', '-', '-C', '/data'],
      tar.stdout,
    );
    expect(untar.stderr).toBe('');
    expect(untar.status.status).toBe('Success');

    const after = await exec('dst', 'shop', 'dolly-mover', 'mover', [
      'sh',
      '-c',
      'cd /data && find . -type f -exec sha256sum {} + | sort',
    ]);
    expect(after.stdout.toString()).toBe(before.stdout.toString());
    const ls = await exec('dst', 'shop', 'dolly-mover', 'mover', ['ls', '-l', '/data/pgdata']);
    expect(ls.stdout.toString()).toMatch(/-rw------- 1 999 999 +3 .* PG_VERSION/);
  });

  it('reports non-zero exit codes and refuses pods that are not running', async () => {
    const r = await exec('dst', 'shop', 'dolly-mover', 'mover', ['sh', '-c', 'cd /nope']);
    expect(r.status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '2' }] },
    });
    expect(r.stderr).toContain("can't cd to /nope");
    const bad = await exec(
      'dst',
      'shop',
      'dolly-mover',
      'mover',
      ['tar', 'xf', '-', '-C', '/data'],
      Buffer.from('not a tar archive at all'.repeat(40)),
    );
    expect(bad.status.status).toBe('Failure');
    const core = h.kubeConfig('dst').makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedPod({
      namespace: 'shop',
      body: {
        metadata: { name: 'stuck' },
        spec: { nodeSelector: { nowhere: 'true' }, containers: [{ name: 'c', image: 'busybox:1.36' }] },
      },
    });
    await expect(exec('dst', 'shop', 'stuck', 'c', ['true'])).rejects.toBeTruthy();
  });

  it('keeps volume contents across snapshot and restore', async () => {
    const snap = JSON.parse(JSON.stringify(h.hub.snapshot()));
    h.hub.reset();
    h.hub.restore(snap);
    const again = await exec('dst', 'shop', 'dolly-mover', 'mover', ['cat', '/data/pgdata/PG_VERSION']);
    expect(again.stdout.toString()).toBe('16\n');
  });
});
