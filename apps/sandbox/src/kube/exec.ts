/** pods/exec over WebSocket (channel.k8s.io v1..v5), running the command against emulated volumes. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Cluster, VolumeFile } from './cluster.ts';
import { type Mount, readsStdin, runExec, Vfs } from './shell.ts';
import { asArray, asObject, asString, dig, errors, type KubeObject, KubeError } from './types.ts';
import { acceptWebSocket, rejectUpgrade } from './websocket.ts';

export const EXEC_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
];

function storeFor(c: Cluster, key: string): Map<string, VolumeFile> {
  let s = c.volumes.get(key);
  if (!s) {
    s = new Map();
    c.volumes.set(key, s);
  }
  return s;
}

function dataStore(data: Record<string, Buffer>, nowSec: number): Map<string, VolumeFile> {
  const m = new Map<string, VolumeFile>();
  for (const [k, v] of Object.entries(data))
    m.set(k, { path: k, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: nowSec, data: v });
  return m;
}

/** The container's filesystem view: its volume mounts over an ephemeral root. */
export function podVfs(c: Cluster, pod: KubeObject, container: KubeObject | Record<string, unknown>): Vfs {
  const nowSec = () => Math.floor(c.now() / 1000);
  const ns = pod.metadata.namespace;
  const volumes = asArray(dig(pod, 'spec', 'volumes')).map(asObject);
  const mounts: Mount[] = [];
  for (const vm of asArray((container as Record<string, unknown>).volumeMounts).map(asObject)) {
    const v = volumes.find((x) => x.name === vm.name);
    const path = asString(vm.mountPath);
    if (!v || !path) continue;
    const readOnly = vm.readOnly === true;
    let store: Map<string, VolumeFile> | undefined;
    const claim = asString(dig(v, 'persistentVolumeClaim', 'claimName'));
    if (claim) {
      const pvc = c.getByKey('/persistentvolumeclaims', ns, claim);
      const pv = asString(dig(pvc, 'spec', 'volumeName'));
      if (pv) store = storeFor(c, pv);
    } else if (v.configMap) {
      const cm = c.getByKey('/configmaps', ns, asString(dig(v, 'configMap', 'name')) ?? '');
      const data: Record<string, Buffer> = {};
      for (const [k, x] of Object.entries(asObject(cm?.data))) data[k] = Buffer.from(String(x));
      for (const [k, x] of Object.entries(asObject(cm?.binaryData)))
        data[k] = Buffer.from(String(x), 'base64');
      store = dataStore(data, nowSec());
    } else if (v.secret) {
      const sec = c.getByKey('/secrets', ns, asString(dig(v, 'secret', 'secretName')) ?? '');
      const data: Record<string, Buffer> = {};
      for (const [k, x] of Object.entries(asObject(sec?.data))) data[k] = Buffer.from(String(x), 'base64');
      store = dataStore(data, nowSec());
    } else store = storeFor(c, `pod:${pod.metadata.uid}/${String(v.name)}`);
    if (!store) continue;
    const sub = asString(vm.subPath);
    mounts.push({
      path,
      store,
      readOnly: readOnly || !!v.configMap || !!v.secret,
      ...(sub ? { subPath: sub } : {}),
    });
  }
  return new Vfs(mounts, storeFor(c, `pod:${pod.metadata.uid}/rootfs`), nowSec);
}

function exitStatus(argv: string[], code: number): unknown {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function handleExecUpgrade(
  c: Cluster,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  namespace: string,
  podName: string,
  q: URLSearchParams,
  onChange: () => void,
): void {
  try {
    const pod = c.getByKey('/pods', namespace, podName);
    if (!pod) throw errors.notFound('', 'pods', podName);
    const containers = asArray(dig(pod, 'spec', 'containers')).map(asObject);
    const cname = q.get('container') ?? asString(containers[0]?.name) ?? '';
    const container = containers.find((x) => x.name === cname);
    if (!container) throw errors.badRequest(`container ${cname} is not valid for pod ${podName}`);
    if (!dig(pod, 'spec', 'nodeName'))
      throw errors.badRequest(`pod ${podName} does not have a host assigned`);
    if (dig(pod, 'status', 'phase') !== 'Running')
      throw errors.badRequest(`unable to upgrade connection: container not found ("${cname}")`);
    const argv = q.getAll('command');
    if (!argv.length) throw errors.badRequest('you must specify at least 1 command');
    const ws = acceptWebSocket(req, socket, head, EXEC_PROTOCOLS);
    if (!ws) throw errors.badRequest('Upgrade request required');
    const v4plus = ws.protocol.startsWith('v4') || ws.protocol.startsWith('v5');
    const wantStdin = q.get('stdin') === 'true' || q.get('stdin') === '1';
    const stdinChunks: Buffer[] = [];
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      const vfs = podVfs(c, pod, container);
      const r = runExec(vfs, argv, Buffer.concat(stdinChunks), () => Math.floor(c.now() / 1000));
      onChange();
      const sendChan = (chan: number, data: Buffer) => {
        for (let i = 0; i < data.length; i += 64 * 1024)
          ws.send(Buffer.concat([Buffer.from([chan]), data.subarray(i, i + 64 * 1024)]));
      };
      if (q.get('stdout') !== 'false' && r.stdout.length) sendChan(1, r.stdout);
      if (q.get('stderr') !== 'false' && r.stderr.length) sendChan(2, r.stderr);
      if (v4plus) sendChan(3, Buffer.from(JSON.stringify(exitStatus(argv, r.code))));
      else if (r.code !== 0)
        sendChan(3, Buffer.from(`command terminated with non-zero exit code: exit code ${r.code}`));
      setTimeout(() => ws.close(1000), 20).unref?.();
    };
    ws.on({
      message(data, binary) {
        if (!binary && data.length === 0) return;
        const chan = data[0];
        if (chan === 0) stdinChunks.push(Buffer.from(data.subarray(1)));
        else if (chan === 255 && data[1] === 0) run();
      },
      close() {
        if (!done && wantStdin) run();
      },
    });
    if (!wantStdin || !readsStdin(argv)) queueMicrotask(run);
  } catch (e) {
    const err = e instanceof KubeError ? e : new KubeError(500, 'InternalError', String(e));
    rejectUpgrade(socket, err.code, err.toStatus());
  }
}
