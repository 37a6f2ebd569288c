/** A small ustar reader/writer (with pax/GNU long-name reading) for volume copies over exec. */

export interface TarEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  data: Buffer;
  linkname?: string;
  uname?: string;
  gname?: string;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function writeString(buf: Buffer, s: string, offset: number, len: number): void {
  Buffer.from(s, 'utf8').copy(buf, offset, 0, len);
}

/** One 512-byte ustar header (streaming writers put the data and `pad(size)` after it). */
export function header(e: {
  name: string;
  prefix?: string;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname?: string;
  uname?: string;
  gname?: string;
}): Buffer {
  const h = Buffer.alloc(512);
  writeString(h, e.name, 0, 100);
  writeString(h, octal(e.mode & 0o7777, 8), 100, 8);
  writeString(h, octal(e.uid, 8), 108, 8);
  writeString(h, octal(e.gid, 8), 116, 8);
  writeString(h, octal(e.size, 12), 124, 12);
  writeString(h, octal(Math.floor(e.mtime), 12), 136, 12);
  h.fill(0x20, 148, 156);
  writeString(h, e.typeflag, 156, 1);
  writeString(h, e.linkname ?? '', 157, 100);
  writeString(h, 'ustar\x0000', 257, 8);
  writeString(h, e.uname ?? (e.uid === 0 ? 'root' : ''), 265, 32);
  writeString(h, e.gname ?? (e.gid === 0 ? 'root' : ''), 297, 32);
  writeString(h, e.prefix ?? '', 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, `${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

export function pad(size: number): Buffer {
  const r = size % 512;
  return Buffer.alloc(r === 0 ? 0 : 512 - r);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}

function splitName(name: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest.length)
      return { name: rest, prefix };
  }
  return undefined;
}

export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const name = e.type === 'dir' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
    const size = e.type === 'file' ? e.data.length : 0;
    let split = splitName(name);
    if (!split) {
      const pax = Buffer.from(paxRecord('path', name));
      parts.push(
        header({
          name: 'PaxHeader',
          typeflag: 'x',
          mode: 0o644,
          uid: 0,
          gid: 0,
          size: pax.length,
          mtime: e.mtime,
        }),
        pax,
        pad(pax.length),
      );
      split = { name: name.slice(0, 99), prefix: '' };
    }
    parts.push(
      header({
        name: split.name,
        prefix: split.prefix,
        typeflag: e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0',
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        size,
        mtime: e.mtime,
        ...(e.linkname ? { linkname: e.linkname } : {}),
        ...(e.uname ? { uname: e.uname } : {}),
        ...(e.gname ? { gname: e.gname } : {}),
      }),
    );
    if (size) parts.push(e.data, pad(size));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function readString(buf: Buffer, offset: number, len: number): string {
  const slice = buf.subarray(offset, offset + len);
  const end = slice.indexOf(0);
  return slice.subarray(0, end < 0 ? len : end).toString('utf8');
}

function readOctal(buf: Buffer, offset: number, len: number): number {
  const first = buf[offset]!;
  if (first & 0x80) {
    // base-256
    let n = 0;
    for (let i = offset + 1; i < offset + len; i++) n = n * 256 + buf[i]!;
    return n;
  }
  const s = readString(buf, offset, len).trim();
  return s ? Number.parseInt(s, 8) : 0;
}

export class TarError extends Error {}

export function readTar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    const stored = readOctal(h, 148, 8);
    if (stored !== sum) throw new TarError('tar: This does not look like a tar archive');
    const size = readOctal(h, 124, 12);
    const type = String.fromCharCode(h[156]! || 0x30);
    const data = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'K') {
      longLink = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'x' || type === 'g') {
      const text = data.toString('utf8');
      let i = 0;
      while (i < text.length) {
        const sp = text.indexOf(' ', i);
        if (sp < 0) break;
        const len = Number(text.slice(i, sp));
        if (!len) break;
        const rec = text.slice(sp + 1, i + len - 1);
        const eq = rec.indexOf('=');
        if (type === 'x' && eq > 0) pax[rec.slice(0, eq)] = rec.slice(eq + 1);
        i += len;
      }
      continue;
    }
    const prefix = readString(h, 345, 155);
    let name =
      longName ?? pax.path ?? (prefix ? `${prefix}/${readString(h, 0, 100)}` : readString(h, 0, 100));
    const linkname = longLink ?? pax.linkpath ?? readString(h, 157, 100);
    longName = undefined;
    longLink = undefined;
    const mtime = pax.mtime ? Number(pax.mtime) : readOctal(h, 136, 12);
    const uid = pax.uid ? Number(pax.uid) : readOctal(h, 108, 8);
    const gid = pax.gid ? Number(pax.gid) : readOctal(h, 116, 8);
    pax = {};
    const kind =
      type === '5'
        ? 'dir'
        : type === '2'
          ? 'symlink'
          : type === '0' || type === '\0' || type === '7'
            ? 'file'
            : undefined;
    if (!kind) continue;
    if (kind === 'dir') name = name.replace(/\/+$/, '');
    out.push({
      name,
      type: kind,
      mode: readOctal(h, 100, 8),
      uid,
      gid,
      mtime: Math.floor(mtime),
      data: kind === 'file' ? Buffer.from(data) : Buffer.alloc(0),
      ...(kind === 'symlink' ? { linkname } : {}),
      uname: readString(h, 265, 32),
      gname: readString(h, 297, 32),
    });
  }
  return out;
}
