/** Minimal RFC 6455 server side: handshake, framing (masked client frames), ping/pong, close. */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface WsHandlers {
  message(data: Buffer, binary: boolean): void;
  close(): void;
}

export class WebSocketConnection {
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragOpcode = 0;
  private closed = false;
  private handlers: WsHandlers | undefined;

  constructor(
    private readonly socket: Duplex,
    readonly protocol: string,
    head: Buffer,
  ) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
    if (head.length) queueMicrotask(() => this.onData(head));
  }

  on(handlers: WsHandlers): void {
    this.handlers = handlers;
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers?.close();
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0]!;
      const b1 = this.buf[1]!;
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      const maskLen = masked ? 4 : 0;
      if (this.buf.length < off + maskLen + len) return;
      const mask = masked ? this.buf.subarray(off, off + 4) : undefined;
      const payload = Buffer.from(this.buf.subarray(off + maskLen, off + maskLen + len));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i & 3]!;
      this.buf = this.buf.subarray(off + maskLen + len);
      this.frame(fin, opcode, payload);
    }
  }

  private frame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case 0x8: // close
        if (!this.closed) {
          this.writeFrame(0x8, payload.subarray(0, 2));
          this.socket.end();
        }
        this.finish();
        return;
      case 0x9:
        this.writeFrame(0xa, payload);
        return;
      case 0xa:
        return;
      case 0x0:
        this.fragments.push(payload);
        if (fin) {
          const all = Buffer.concat(this.fragments);
          this.fragments = [];
          this.handlers?.message(all, this.fragOpcode === 0x2);
        }
        return;
      default:
        if (!fin) {
          this.fragOpcode = opcode;
          this.fragments = [payload];
          return;
        }
        this.handlers?.message(payload, opcode === 0x2);
    }
  }

  /** false once the socket's write buffer is full (Node's `write()` answer) */
  private writeFrame(opcode: number, payload: Buffer): boolean {
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    let head: Buffer;
    if (payload.length < 126) {
      head = Buffer.from([0x80 | opcode, payload.length]);
    } else if (payload.length < 65536) {
      head = Buffer.alloc(4);
      head[0] = 0x80 | opcode;
      head[1] = 126;
      head.writeUInt16BE(payload.length, 2);
    } else {
      head = Buffer.alloc(10);
      head[0] = 0x80 | opcode;
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    return this.socket.write(Buffer.concat([head, payload]));
  }

  /** Sends one binary message; false when the caller should wait for `onDrain` before more. */
  send(data: Buffer): boolean {
    return this.writeFrame(0x2, data);
  }

  /** Bytes sent but still in this process, waiting for the kernel to take them. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  onDrain(fn: () => void): void {
    this.socket.once('drain', fn);
  }

  /** Stops reading frames, so TCP flow control holds the peer back; `resume` reads on. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(code = 1000): void {
    if (this.closed) return;
    const p = Buffer.alloc(2);
    p.writeUInt16BE(code, 0);
    this.writeFrame(0x8, p);
    this.closed = true;
    this.socket.end();
    this.handlers?.close();
  }
}

/** Complete the handshake choosing the first of `supported` the client offers. */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  supported: string[],
): WebSocketConnection | undefined {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket')
    return undefined;
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const protocol = supported.find((p) => offered.includes(p)) ?? '';
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  socket.write(
    [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${accept}`,
      ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []),
      '',
      '',
    ].join('\r\n'),
  );
  return new WebSocketConnection(socket, protocol, head);
}

/** Reject an upgrade with a plain HTTP response carrying a JSON Status. */
export function rejectUpgrade(socket: Duplex, code: number, status: unknown): void {
  const body = JSON.stringify(status);
  const reason =
    code === 400 ? 'Bad Request' : code === 404 ? 'Not Found' : code === 403 ? 'Forbidden' : 'Error';
  socket.end(
    `HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
