/**
 * A stand-in for the two mover pods of a volume copy that holds no volume in memory: a Kubernetes
 * exec endpoint (channel.k8s.io v5 framing: 1-byte channel prefix, stdin 0, stdout 1, status 3 as a
 * Status JSON, 255 0 = stdin closed) whose `tar cf -` streams a tar of one generated file of any
 * size, and whose `tar xf -` reads the incoming tar and hashes it without keeping it. The sandbox's
 * exec runs commands over in-memory volumes, fine for a database's few files but not for a 2 GiB
 * volume. Runs in-process for tests, or as a child process for the benchmark (exec-endpoint-main.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { header, pad } from '../../../../apps/sandbox/src/kube/tar.ts';
import { createCa, createServerCert } from '../../../../apps/sandbox/src/tls.ts';
import {
  acceptWebSocket,
  rejectUpgrade,
  type WebSocketConnection,
} from '../../../../apps/sandbox/src/kube/websocket.ts';

export interface ExecEndpointOptions {
  /** size of the one file the source volume holds */
  volumeBytes: number;
  /**
   * The target reads only while the source cannot send (its socket buffer is full) or has sent
   * everything: the slowest target that still finishes. A copy that does not hold the source back
   * then has the whole volume in flight.
   */
  slowTarget?: boolean;
  /** the target's tar gives up (exit 2, "No space left on device") once it read this many bytes */
  targetFailsAfter?: number;
}

export interface ExecEndpointStats {
  /** stdout bytes the source sent, stdin bytes the target read */
  sent: number;
  received: number;
  /** the most bytes sent but not yet read by the target, seen at any moment */
  maxInFlight: number;
  sourceSha256?: string;
  /** sha256 of the file that arrived in the target; set once the target's tar ended */
  targetSha256?: string;
}

export interface ExecEndpoint {
  url: string;
  /** a kubeconfig for the endpoint: any pod name works, the command decides the side */
  kubeconfig: string;
  stats(): ExecEndpointStats;
  close(): Promise<void>;
}

const CHUNK = 64 * 1024;
/** the source stops sending once this much waits in its own socket buffer */
const SOURCE_BUFFER = 1024 * 1024;
const FILE = './volume.bin';
/** chunks the source writes per turn of the event loop */
const BURST_CHUNKS = 1;

function frame(channel: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), data]);
}

const SUCCESS = frame(3, Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' })));
function failure(code: number, message: string): Buffer {
  const status = {
    metadata: {},
    status: 'Failure',
    message,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
  return frame(3, Buffer.from(JSON.stringify(status)));
}

/** Reads a tar stream piece by piece, hashing file data as it passes; keeps only one header. */
function tarHasher() {
  let head = Buffer.alloc(0);
  let dataLeft = 0;
  let padLeft = 0;
  let ended = false;
  let hash: ReturnType<typeof createHash> | undefined;
  const digests = new Map<string, string>();
  let name = '';
  return {
    digests,
    get complete() {
      return ended;
    },
    write(buf: Buffer) {
      let off = 0;
      while (off < buf.length && !ended) {
        if (dataLeft > 0) {
          const n = Math.min(dataLeft, buf.length - off);
          hash?.update(buf.subarray(off, off + n));
          dataLeft -= n;
          off += n;
          if (dataLeft === 0 && hash) digests.set(name, hash.digest('hex'));
        } else if (padLeft > 0) {
          const n = Math.min(padLeft, buf.length - off);
          padLeft -= n;
          off += n;
        } else {
          const n = Math.min(512 - head.length, buf.length - off);
          head = Buffer.concat([head, buf.subarray(off, off + n)]);
          off += n;
          if (head.length < 512) continue;
          if (head.every((b) => b === 0)) ended = true;
          else {
            name = head.toString('utf8', 0, 100).replace(/\0.*$/s, '');
            const size = Number.parseInt(head.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim(), 8);
            dataLeft = size;
            padLeft = (512 - (size % 512)) % 512;
            hash = head[156] === 0x30 || head[156] === 0 ? createHash('sha256') : undefined;
            if (size === 0 && hash) digests.set(name, hash.digest('hex'));
          }
          head = Buffer.alloc(0);
        }
      }
    },
  };
}

export async function startExecEndpoint(opts: ExecEndpointOptions): Promise<ExecEndpoint> {
  const stats: ExecEndpointStats = { sent: 0, received: 0, maxInFlight: 0 };
  let sourceBlocked = false;
  let sourceDone = false;
  let target: WebSocketConnection | undefined;
  const sockets = new Set<Duplex>();

  const gateTarget = () => {
    if (!opts.slowTarget || !target) return;
    if (sourceBlocked || sourceDone) target.resume();
    else target.pause();
  };

  const serveSource = (ws: WebSocketConnection) => {
    // a random block with the chunk's index in front: incompressible, and no two chunks alike
    const block = randomBytes(CHUNK);
    const hash = createHash('sha256');
    const send = (data: Buffer) => {
      stats.sent += data.length;
      ws.send(frame(1, data));
    };
    send(
      header({ name: FILE, typeflag: '0', mode: 0o644, uid: 0, gid: 0, size: opts.volumeBytes, mtime: 0 }),
    );
    let offset = 0;
    const pump = () => {
      // a few chunks per turn of the event loop, like a process writing into a pipe, so a reader in
      // the same process gets its turn and "blocked" means the reader stopped, not that we hogged it
      for (let burst = 0; burst < BURST_CHUNKS && offset < opts.volumeBytes; burst++) {
        const n = Math.min(CHUNK, opts.volumeBytes - offset);
        block.writeUInt32BE(offset / CHUNK, 0);
        const chunk = block.subarray(0, n);
        hash.update(chunk);
        send(chunk);
        offset += n;
      }
      if (offset < opts.volumeBytes) {
        if (ws.bufferedAmount < SOURCE_BUFFER) return void setImmediate(pump);
        sourceBlocked = true;
        gateTarget();
        ws.onDrain(() => {
          sourceBlocked = false;
          gateTarget();
          pump();
        });
        return;
      }
      send(Buffer.concat([pad(opts.volumeBytes), Buffer.alloc(1024)]));
      stats.sourceSha256 = hash.digest('hex');
      ws.send(SUCCESS);
      sourceDone = true;
      gateTarget();
    };
    pump();
    ws.on({ message() {}, close() {} });
  };

  const serveTarget = (ws: WebSocketConnection) => {
    target = ws;
    gateTarget();
    const tar = tarHasher();
    let failed = false;
    ws.on({
      message(data) {
        if (data[0] === 0) {
          stats.received += data.length - 1;
          stats.maxInFlight = Math.max(stats.maxInFlight, stats.sent - stats.received);
          tar.write(data.subarray(1));
          if (opts.targetFailsAfter !== undefined && stats.received >= opts.targetFailsAfter && !failed) {
            failed = true;
            ws.send(frame(2, Buffer.from('tar: write error: No space left on device\n')));
            ws.send(failure(2, 'command terminated with non-zero exit code: exit code 2'));
            ws.close();
          }
        } else if (data[0] === 255 && data[1] === 0) {
          const sum = tar.digests.get(FILE);
          if (sum) stats.targetSha256 = sum;
          if (!tar.complete) ws.send(frame(2, Buffer.from('tar: short read\n')));
          ws.send(
            tar.complete ? SUCCESS : failure(2, 'command terminated with non-zero exit code: exit code 2'),
          );
        }
      },
      close() {},
    });
  };

  // client-node opens exec sockets over TLS only (plain http needs skip-verify, which Dolly refuses)
  const ca = createCa('Dolly exec endpoint CA');
  const cert = createServerCert(ca);
  const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) =>
    res.writeHead(404).end(),
  );
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const q = new URL(req.url ?? '/', 'http://endpoint').searchParams;
    const argv = q.getAll('command').join(' ');
    const side = argv.startsWith('tar cf') ? 'source' : argv.startsWith('tar xf') ? 'target' : undefined;
    if (!side) {
      rejectUpgrade(socket, 400, { kind: 'Status', status: 'Failure', message: `unsupported: ${argv}` });
      return;
    }
    const ws = acceptWebSocket(req, socket, head, ['v5.channel.k8s.io']);
    if (!ws) return rejectUpgrade(socket, 400, { kind: 'Status', status: 'Failure', message: 'no upgrade' });
    if (side === 'source') serveSource(ws);
    else serveTarget(ws);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'movers',
        cluster: { server: url, 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') },
      },
    ],
    users: [{ name: 'bench', user: { token: 'bench' } }],
    contexts: [{ name: 'movers', context: { cluster: 'movers', user: 'bench' } }],
    'current-context': 'movers',
  });
  return {
    url,
    kubeconfig,
    stats: () => ({ ...stats }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
