/**
 * Exec into a pod over the Kubernetes exec websocket (channel.k8s.io v1–v5) with flow control both
 * ways. `Exec` from @kubernetes/client-node writes every stdout frame into the given stream without
 * looking at `write()`'s answer, and sends every stdin chunk the moment it is read without waiting
 * for the socket, so a fast source and a slow target buffer a whole volume in this process
 * (web-socket-handler.js `handleStandardStreams` / `handleStandardInput`). Here the same connection
 * (`WebSocketHandler.connect`: kubeconfig credentials, TLS, protocol list) is used, but:
 * - stdout: when the consumer's buffer is full the socket is paused (ws `pause()`, so TCP holds the
 *   sender back) and resumed on `drain`;
 * - stdin: a Writable whose `write` completes in ws's send callback, i.e. once the frame reached the
 *   kernel, so `pipe` only reads more when the socket took the previous chunk.
 */
import { PassThrough, type Readable, Writable } from 'node:stream';
import type { V1Status } from '@kubernetes/client-node';
// not re-exported from the package root; the module the package's own `Exec` uses
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import type { KubeClient } from './client.ts';

/** The part of the `ws` WebSocket that client-node hands back and that exec needs. */
interface ExecSocket {
  readonly protocol: string;
  readonly readyState: number;
  send(data: Buffer, cb: (err?: Error) => void): void;
  pause(): void;
  resume(): void;
  close(): void;
  on(event: 'close', listener: () => void): void;
  on(event: 'error', listener: (e: Error) => void): void;
}

function isExecSocket(ws: unknown): ws is ExecSocket {
  const s = ws as Partial<Record<keyof ExecSocket, unknown>> | null;
  return (
    typeof s?.send === 'function' &&
    typeof s.pause === 'function' &&
    typeof s.resume === 'function' &&
    typeof s.close === 'function'
  );
}

const OPEN = 1;
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE_STREAM = 255;
/** stdin chunks queued in this process before the socket must take some */
const STDIN_HIGH_WATER_MARK = 256 * 1024;

export interface ExecResult {
  code: number;
  stderr: string;
}

function exitCode(status: V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message ? Number(cause.message) : 1;
}

/** v4/v5 send a Status object; older protocols only an error text. */
function parseStatus(buff: Buffer): V1Status {
  const text = buff.toString('utf8');
  try {
    return JSON.parse(text) as V1Status;
  } catch {
    return { status: 'Failure', message: text };
  }
}

/**
 * stdin of the remote command: each chunk goes out as one channel-0 frame and counts as written
 * once ws flushed it to the socket. Ending it tells a v5 server that stdin is closed (the command
 * sees EOF and the exit status still arrives); older protocols can only close the connection.
 */
function stdinWriter(ws: ExecSocket): Writable {
  return new Writable({
    highWaterMark: STDIN_HIGH_WATER_MARK,
    write(chunk: Buffer, _enc, done) {
      if (ws.readyState !== OPEN) return done(new Error('exec connection closed while sending stdin'));
      ws.send(Buffer.concat([Buffer.from([STDIN]), chunk]), done);
    },
    final(done) {
      if (ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.from([CLOSE_STREAM, STDIN]), done);
      else {
        ws.close();
        done();
      }
    },
  });
}

/** Runs a command in a pod's container (`mover` by default); resolves with its exit code once it ended. */
export async function execInPod(
  client: KubeClient,
  pod: { namespace: string; name: string; container?: string },
  command: string[],
  io: { stdin?: Readable; stdout?: Writable },
  signal?: AbortSignal,
): Promise<ExecResult> {
  signal?.throwIfAborted();
  const stderrChunks: Buffer[] = [];
  const stderr = new PassThrough();
  stderr.on('data', (c: Buffer) => stderrChunks.push(c));
  const stdout = io.stdout ?? new PassThrough().resume();
  const stdin = io.stdin;
  const query = new URLSearchParams({
    stdout: 'true',
    stderr: 'true',
    stdin: stdin ? 'true' : 'false',
    tty: 'false',
    container: pod.container ?? 'mover',
  });
  for (const arg of command) query.append('command', arg);
  const path = `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/exec?${query}`;
  // closeStream frames (v5) end our streams, never the process's own stdio (the handler's default)
  const handler = new WebSocketHandler(client.kubeConfig, undefined, {
    stdin: stdin ?? new PassThrough(),
    stdout,
    stderr,
  });

  return await new Promise<ExecResult>((resolve, reject) => {
    let socket: ExecSocket | undefined;
    let status: V1Status | undefined;
    let settled = false;
    // a frame can arrive before connect() resolved with the socket: remember to pause it then
    let outputBlocked = false;
    const result = (s: V1Status) => ({
      code: exitCode(s),
      stderr: Buffer.concat(stderrChunks).toString('utf8'),
    });
    const finish = (r: ExecResult | Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (stdin) {
        // the command is gone: let whatever still comes drain away instead of holding its producer
        stdin.unpipe();
        stdin.resume();
      }
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const onAbort = () => {
      socket?.close();
      finish(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const onOutput = (buff: Buffer) => {
      if (stdout.write(buff) || outputBlocked) return;
      outputBlocked = true;
      socket?.pause();
      stdout.once('drain', () => {
        outputBlocked = false;
        socket?.resume();
      });
    };
    handler
      .connect(path, null, (stream, buff) => {
        if (stream === STDOUT) onOutput(buff);
        else if (stream === STDERR) stderr.write(buff);
        else if (stream === STATUS) {
          status = parseStatus(buff);
          stdout.end();
          stderr.end();
          finish(result(status));
          return false;
        }
        return true;
      })
      .then((ws: unknown) => {
        if (!isExecSocket(ws)) throw new Error('exec: unexpected websocket implementation');
        socket = ws;
        if (settled) return ws.close();
        if (outputBlocked) ws.pause();
        ws.on('close', () => {
          // the status frame normally comes first; a close without one is a broken stream
          setTimeout(
            () =>
              finish(
                status
                  ? result(status)
                  : new Error(`exec in ${pod.namespace}/${pod.name} closed without an exit status`),
              ),
            50,
          );
        });
        ws.on('error', (e: Error) => finish(e));
        if (stdin) {
          const writer = stdinWriter(ws);
          // a send on a closing socket fails; the missing exit status reports it
          writer.on('error', () => {});
          stdin.pipe(writer);
        }
      })
      .catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
  });
}
