/** A tiny shell over emulated volumes: enough for tar/sha256sum/find based data movers. */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { VolumeFile } from './cluster.ts';
import { readTar, TarError, type TarEntry, writeTar } from './tar.ts';

export interface Mount {
  path: string;
  store: Map<string, VolumeFile>;
  readOnly: boolean;
  /** volumeMounts[].subPath: the directory of the volume that is mounted */
  subPath?: string;
}

export interface ShellResult {
  stdout: Buffer;
  stderr: Buffer;
  code: number;
}

function normalize(p: string): string {
  const parts: string[] = [];
  for (const s of p.split('/')) {
    if (!s || s === '.') continue;
    if (s === '..') parts.pop();
    else parts.push(s);
  }
  return `/${parts.join('/')}`;
}

export class Vfs {
  constructor(
    private readonly mounts: Mount[],
    private readonly root: Map<string, VolumeFile>,
    private readonly nowSec: () => number,
  ) {
    this.mounts = [...mounts].sort((a, b) => b.path.length - a.path.length);
  }

  resolve(abs: string): { store: Map<string, VolumeFile>; rel: string; readOnly: boolean } {
    const p = normalize(abs);
    for (const m of this.mounts) {
      const mp = normalize(m.path);
      const sub = (m.subPath ?? '').replace(/^\/+|\/+$/g, '');
      const within = (rel: string) => (sub ? (rel ? `${sub}/${rel}` : sub) : rel);
      if (p === mp) return { store: m.store, rel: within(''), readOnly: m.readOnly };
      if (p.startsWith(`${mp === '/' ? '' : mp}/`))
        return { store: m.store, rel: within(p.slice(mp.length).replace(/^\//, '')), readOnly: m.readOnly };
    }
    return { store: this.root, rel: p.slice(1), readOnly: false };
  }

  isMountPoint(abs: string): boolean {
    const p = normalize(abs);
    return (
      p === '/' || this.mounts.some((m) => normalize(m.path) === p || normalize(m.path).startsWith(`${p}/`))
    );
  }

  stat(abs: string): VolumeFile | undefined {
    const { store, rel } = this.resolve(abs);
    if (rel === '') {
      if (this.isMountPoint(abs) || store.size >= 0)
        return (
          store.get('') ?? {
            path: '',
            type: 'dir',
            mode: 0o755,
            uid: 0,
            gid: 0,
            mtime: this.nowSec(),
            data: Buffer.alloc(0),
          }
        );
    }
    const f = store.get(rel);
    if (f) return f;
    for (const k of store.keys())
      if (k.startsWith(`${rel}/`))
        return {
          path: rel,
          type: 'dir',
          mode: 0o755,
          uid: 0,
          gid: 0,
          mtime: this.nowSec(),
          data: Buffer.alloc(0),
        };
    if (this.isMountPoint(abs))
      return {
        path: rel,
        type: 'dir',
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime: this.nowSec(),
        data: Buffer.alloc(0),
      };
    return undefined;
  }

  /** Entries strictly below a directory, relative paths, with implied directories, sorted. */
  walk(absDir: string): VolumeFile[] {
    const { store, rel } = this.resolve(absDir);
    const pre = rel ? `${rel}/` : '';
    const out = new Map<string, VolumeFile>();
    for (const [k, f] of store) {
      if (k === '' || !k.startsWith(pre)) continue;
      const sub = k.slice(pre.length);
      const segs = sub.split('/');
      for (let i = 1; i < segs.length; i++) {
        const d = segs.slice(0, i).join('/');
        if (!out.has(d))
          out.set(
            d,
            store.get(pre + d) ?? {
              path: d,
              type: 'dir',
              mode: 0o755,
              uid: f.uid,
              gid: f.gid,
              mtime: f.mtime,
              data: Buffer.alloc(0),
            },
          );
      }
      out.set(sub, { ...f, path: sub });
    }
    // mount points below this directory
    const base = normalize(absDir);
    for (const m of this.mounts) {
      const mp = normalize(m.path);
      if (mp !== base && mp.startsWith(`${base === '/' ? '' : base}/`)) {
        const sub = mp.slice(base.length).replace(/^\//, '');
        if (!out.has(sub))
          out.set(sub, {
            path: sub,
            type: 'dir',
            mode: 0o755,
            uid: 0,
            gid: 0,
            mtime: this.nowSec(),
            data: Buffer.alloc(0),
          });
        for (const f of this.walk(mp)) out.set(`${sub}/${f.path}`, { ...f, path: `${sub}/${f.path}` });
      }
    }
    return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  write(abs: string, f: Omit<VolumeFile, 'path'>): void {
    const { store, rel, readOnly } = this.resolve(abs);
    if (readOnly) throw new Error(`${abs}: Read-only file system`);
    if (rel === '') {
      if (f.type === 'dir') store.set('', { ...f, path: '' });
      return;
    }
    const segs = rel.split('/');
    for (let i = 1; i < segs.length; i++) {
      const d = segs.slice(0, i).join('/');
      const cur = store.get(d);
      if (cur && cur.type !== 'dir') store.delete(d);
    }
    store.set(rel, { ...f, path: rel });
  }

  remove(abs: string): void {
    const { store, rel, readOnly } = this.resolve(abs);
    if (readOnly) throw new Error(`${abs}: Read-only file system`);
    for (const k of [...store.keys()])
      if (rel === '' ? k !== '' : k === rel || k.startsWith(`${rel}/`)) store.delete(k);
  }
}

type Tok = { op: string } | { word: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let cur: string | undefined;
  const flush = () => {
    if (cur !== undefined) out.push({ word: cur });
    cur = undefined;
  };
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === "'") {
      const j = s.indexOf("'", i + 1);
      cur = (cur ?? '') + s.slice(i + 1, j < 0 ? s.length : j);
      i = j < 0 ? s.length : j + 1;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      let acc = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\' && j + 1 < s.length) {
          acc += s[j + 1];
          j += 2;
        } else acc += s[j++];
      }
      cur = (cur ?? '') + acc;
      i = j + 1;
      continue;
    }
    if (ch === '\\' && i + 1 < s.length) {
      cur = (cur ?? '') + s[i + 1];
      i += 2;
      continue;
    }
    if (/\s/.test(ch)) {
      flush();
      i++;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '>>' || two === '2>') {
      if (two === '2>' && cur !== undefined) {
        cur += ch;
        i++;
        continue;
      }
      flush();
      out.push({ op: two });
      i += 2;
      continue;
    }
    if (ch === ';' || ch === '|' || ch === '>' || ch === '<' || ch === '\n') {
      flush();
      out.push({ op: ch === '\n' ? ';' : ch });
      i++;
      continue;
    }
    cur = (cur ?? '') + ch;
    i++;
  }
  flush();
  return out;
}

interface Ctx {
  vfs: Vfs;
  cwd: string;
  nowSec: () => number;
}

interface CmdOut {
  stdout: Buffer[];
  stderr: Buffer[];
}

class Exit extends Error {
  constructor(public code: number) {
    super(`exit ${code}`);
  }
}

function abs(ctx: Ctx, p: string): string {
  return normalize(p.startsWith('/') ? p : `${ctx.cwd}/${p}`);
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function tarCommand(ctx: Ctx, args: string[], stdin: Buffer, out: CmdOut): number {
  let mode: 'c' | 'x' | 't' | undefined;
  let gzip = false;
  let verbose = false;
  let file: string | undefined;
  let dir = ctx.cwd;
  let noSameOwner = false;
  const members: string[] = [];
  const rest = [...args];
  const first = rest[0];
  if (first && !first.startsWith('-') && /^[ctxzvfpoC]+$/.test(first)) rest[0] = `-${first}`;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--gzip' || a === '-z') gzip = true;
    else if (a === '--no-same-owner' || a === '-o') noSameOwner = true;
    else if (a.startsWith('--directory=')) dir = abs(ctx, a.slice(12));
    else if (a === '--directory') dir = abs(ctx, rest[++i] ?? '.');
    else if (a.startsWith('--file=')) file = a.slice(7);
    else if (a === '--create') mode = 'c';
    else if (a === '--extract' || a === '--get') mode = 'x';
    else if (a === '--list') mode = 't';
    else if (a.startsWith('--')) continue;
    else if (a.startsWith('-') && a.length > 1) {
      const flags = a.slice(1);
      for (let j = 0; j < flags.length; j++) {
        const f = flags[j]!;
        if (f === 'c' || f === 'x' || f === 't') mode = f;
        else if (f === 'z') gzip = true;
        else if (f === 'v') verbose = true;
        else if (f === 'o') noSameOwner = true;
        else if (f === 'f') file = rest[++i];
        else if (f === 'C') dir = abs(ctx, rest[++i] ?? '.');
      }
    } else members.push(a);
  }
  if (!mode) {
    out.stderr.push(
      Buffer.from("tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\n"),
    );
    return 2;
  }
  if (file && file !== '-') {
    out.stderr.push(Buffer.from('tar: only "-f -" (stdin/stdout) is supported in the sandbox\n'));
    return 2;
  }
  if (mode === 'c') {
    if (!ctx.vfs.stat(dir)) {
      out.stderr.push(Buffer.from(`tar: ${dir}: Cannot open: No such file or directory\n`));
      return 2;
    }
    const entries: TarEntry[] = [];
    let stripNoted = false;
    for (const m of members.length ? members : ['.']) {
      const target = abs({ ...ctx, cwd: dir }, m);
      const st = ctx.vfs.stat(target);
      if (!st) {
        out.stderr.push(
          Buffer.from(
            `tar: ${m}: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n`,
          ),
        );
        return 2;
      }
      const prefix = m.replace(/\/+$/, '').replace(/^\/+/, '') || '.';
      if (m.startsWith('/') && !stripNoted) {
        out.stderr.push(Buffer.from("tar: Removing leading `/' from member names\n"));
        stripNoted = true;
      }
      if (st.type !== 'dir') {
        entries.push({
          name: prefix,
          type: st.type,
          mode: st.mode,
          uid: st.uid,
          gid: st.gid,
          mtime: st.mtime,
          data: st.data,
          ...(st.linkname ? { linkname: st.linkname } : {}),
        });
        continue;
      }
      entries.push({
        name: `${prefix}/`,
        type: 'dir',
        mode: st.mode,
        uid: st.uid,
        gid: st.gid,
        mtime: st.mtime,
        data: Buffer.alloc(0),
      });
      for (const f of ctx.vfs.walk(target))
        entries.push({
          name: `${prefix}/${f.path}`,
          type: f.type,
          mode: f.mode,
          uid: f.uid,
          gid: f.gid,
          mtime: f.mtime,
          data: f.data,
          ...(f.linkname ? { linkname: f.linkname } : {}),
        });
    }
    const tar = writeTar(entries);
    out.stdout.push(gzip ? gzipSync(tar) : tar);
    if (verbose) out.stderr.push(Buffer.from(entries.map((e) => `${e.name}\n`).join('')));
    return 0;
  }
  let input = stdin;
  if (gzip || (input[0] === 0x1f && input[1] === 0x8b)) {
    try {
      input = gunzipSync(input);
    } catch {
      out.stderr.push(
        Buffer.from(
          'gzip: stdin: not in gzip format\ntar: Child returned status 1\ntar: Error is not recoverable: exiting now\n',
        ),
      );
      return 2;
    }
  }
  let entries: TarEntry[];
  try {
    entries = input.length ? readTar(input) : [];
  } catch (e) {
    out.stderr.push(
      Buffer.from(
        `${e instanceof TarError ? e.message : 'tar: Damaged archive'}\ntar: Exiting with failure status due to previous errors\n`,
      ),
    );
    return 2;
  }
  if (input.length === 0) {
    out.stderr.push(
      Buffer.from(
        'tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n',
      ),
    );
    return 2;
  }
  if (mode === 't') {
    out.stdout.push(
      Buffer.from(entries.map((e) => `${e.name}${e.type === 'dir' && e.name !== '.' ? '/' : ''}\n`).join('')),
    );
    return 0;
  }
  if (!ctx.vfs.stat(dir)) {
    out.stderr.push(Buffer.from(`tar: ${dir}: Cannot open: No such file or directory\n`));
    return 2;
  }
  try {
    for (const e of entries) {
      const target = abs({ ...ctx, cwd: dir }, e.name);
      ctx.vfs.write(target, {
        type: e.type,
        mode: e.mode,
        uid: noSameOwner ? 0 : e.uid,
        gid: noSameOwner ? 0 : e.gid,
        mtime: e.mtime,
        data: e.data,
        ...(e.linkname ? { linkname: e.linkname } : {}),
      });
      if (verbose) out.stdout.push(Buffer.from(`${e.name}\n`));
    }
  } catch (e) {
    out.stderr.push(Buffer.from(`tar: ${e instanceof Error ? e.message : String(e)}\n`));
    return 2;
  }
  return 0;
}

function findCommand(ctx: Ctx, args: string[], out: CmdOut): number {
  const roots: string[] = [];
  let i = 0;
  while (i < args.length && !args[i]!.startsWith('-') && args[i] !== '(' && args[i] !== '!')
    roots.push(args[i++]!);
  let type: string | undefined;
  let name: RegExp | undefined;
  let exec: string[] | undefined;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-type') type = args[++i];
    else if (a === '-name') {
      const glob = args[++i] ?? '*';
      name = new RegExp(
        `^${glob
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
    } else if (a === '-exec') {
      exec = [];
      for (i++; i < args.length && args[i] !== '+' && args[i] !== ';' && args[i] !== '\\;'; i++)
        exec.push(args[i]!);
    }
  }
  const found: string[] = [];
  for (const r of roots.length ? roots : ['.']) {
    const root = abs(ctx, r);
    const st = ctx.vfs.stat(root);
    if (!st) {
      out.stderr.push(Buffer.from(`find: '${r}': No such file or directory\n`));
      return 1;
    }
    const all: { display: string; f: VolumeFile }[] = [{ display: r, f: st }];
    if (st.type === 'dir')
      for (const f of ctx.vfs.walk(root))
        all.push({ display: `${r.replace(/\/+$/, '') || '/'}/${f.path}`.replace(/^\/\//, '/'), f });
    for (const { display, f } of all) {
      if (type === 'f' && f.type !== 'file') continue;
      if (type === 'd' && f.type !== 'dir') continue;
      if (type === 'l' && f.type !== 'symlink') continue;
      if (name && !name.test(display.split('/').pop() ?? '')) continue;
      found.push(display);
    }
  }
  if (exec) {
    const cmd = exec.flatMap((x) => (x === '{}' ? found : [x]));
    const r = runArgv(ctx, cmd, Buffer.alloc(0));
    out.stdout.push(r.stdout);
    out.stderr.push(r.stderr);
    return r.code;
  }
  out.stdout.push(Buffer.from(found.map((f) => `${f}\n`).join('')));
  return 0;
}

function runArgv(ctx: Ctx, argv: string[], stdin: Buffer): ShellResult {
  const out: CmdOut = { stdout: [], stderr: [] };
  const code = runCommand(ctx, argv, stdin, out);
  return { stdout: Buffer.concat(out.stdout), stderr: Buffer.concat(out.stderr), code };
}

function runCommand(ctx: Ctx, argv: string[], stdin: Buffer, out: CmdOut): number {
  const [cmd0, ...args] = argv;
  if (!cmd0) return 0;
  const cmd = cmd0.split('/').pop()!;
  const err = (s: string, code = 1) => {
    out.stderr.push(Buffer.from(s.endsWith('\n') ? s : `${s}\n`));
    return code;
  };
  switch (cmd) {
    case 'sh':
    case 'bash':
    case 'ash': {
      const ci = args.indexOf('-c');
      if (ci >= 0) {
        const r = runScript(ctx, args[ci + 1] ?? '', stdin);
        out.stdout.push(r.stdout);
        out.stderr.push(r.stderr);
        return r.code;
      }
      const r = runScript(ctx, stdin.toString('utf8'), Buffer.alloc(0));
      out.stdout.push(r.stdout);
      out.stderr.push(r.stderr);
      return r.code;
    }
    case 'true':
    case 'sync':
    case 'sleep':
    case ':':
      return 0;
    case 'false':
      return 1;
    case 'exit':
      throw new Exit(Number(args[0] ?? 0));
    case 'echo': {
      const n = args[0] === '-n';
      out.stdout.push(Buffer.from(`${(n ? args.slice(1) : args).join(' ')}${n ? '' : '\n'}`));
      return 0;
    }
    case 'pwd':
      out.stdout.push(Buffer.from(`${ctx.cwd}\n`));
      return 0;
    case 'cd': {
      const target = abs(ctx, args[0] ?? '/');
      const st = ctx.vfs.stat(target);
      if (st?.type !== 'dir') return err(`sh: cd: can't cd to ${args[0]}: No such file or directory`, 2);
      ctx.cwd = target;
      return 0;
    }
    case 'tar':
      return tarCommand(ctx, args, stdin, out);
    case 'find':
      return findCommand(ctx, args, out);
    case 'sha256sum': {
      const files = args.filter((a) => !a.startsWith('-') || a === '-');
      if (!files.length || (files.length === 1 && files[0] === '-')) {
        out.stdout.push(Buffer.from(`${sha256(stdin)}  -\n`));
        return 0;
      }
      let code = 0;
      for (const f of files) {
        const st = ctx.vfs.stat(abs(ctx, f));
        if (!st) {
          code = err(`sha256sum: ${f}: No such file or directory`);
          continue;
        }
        if (st.type === 'dir') {
          code = err(`sha256sum: ${f}: Is a directory`);
          continue;
        }
        out.stdout.push(Buffer.from(`${sha256(st.data)}  ${f}\n`));
      }
      return code;
    }
    case 'cat': {
      if (!args.length || args[0] === '-') {
        out.stdout.push(stdin);
        return 0;
      }
      for (const f of args) {
        const st = ctx.vfs.stat(abs(ctx, f));
        if (!st) return err(`cat: can't open '${f}': No such file or directory`);
        if (st.type === 'dir') return err(`cat: read error: Is a directory`);
        out.stdout.push(st.data);
      }
      return 0;
    }
    case 'ls': {
      const flags = args.filter((a) => a.startsWith('-')).join('');
      const targets = args.filter((a) => !a.startsWith('-'));
      for (const t of targets.length ? targets : ['.']) {
        const p = abs(ctx, t);
        const st = ctx.vfs.stat(p);
        if (!st) return err(`ls: ${t}: No such file or directory`, 2);
        const names =
          st.type === 'dir' ? ctx.vfs.walk(p).filter((f) => !f.path.includes('/')) : [{ ...st, path: t }];
        for (const f of names) {
          if (flags.includes('l')) {
            const perm =
              (f.type === 'dir' ? 'd' : f.type === 'symlink' ? 'l' : '-') +
              [6, 3, 0]
                .map((s) => ['r', 'w', 'x'].map((c, i) => ((f.mode >> (s + 2 - i)) & 1 ? c : '-')).join(''))
                .join('');
            out.stdout.push(
              Buffer.from(
                `${perm} 1 ${f.uid} ${f.gid} ${String(f.data.length).padStart(8)} ${new Date(f.mtime * 1000).toISOString().slice(0, 16).replace('T', ' ')} ${f.path}\n`,
              ),
            );
          } else out.stdout.push(Buffer.from(`${f.path}\n`));
        }
      }
      return 0;
    }
    case 'mkdir': {
      for (const d of args.filter((a) => !a.startsWith('-'))) {
        try {
          ctx.vfs.write(abs(ctx, d), {
            type: 'dir',
            mode: 0o755,
            uid: 0,
            gid: 0,
            mtime: ctx.nowSec(),
            data: Buffer.alloc(0),
          });
        } catch (e) {
          return err(`mkdir: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return 0;
    }
    case 'rm': {
      for (const f of args.filter((a) => !a.startsWith('-'))) {
        if (f.endsWith('/*')) {
          const dir = abs(ctx, f.slice(0, -2));
          for (const child of ctx.vfs.walk(dir).filter((x) => !x.path.includes('/')))
            ctx.vfs.remove(`${dir}/${child.path}`);
        } else if (f.endsWith('/.') || f === '.') continue;
        else ctx.vfs.remove(abs(ctx, f));
      }
      return 0;
    }
    case 'touch': {
      for (const f of args.filter((a) => !a.startsWith('-'))) {
        const p = abs(ctx, f);
        if (!ctx.vfs.stat(p))
          ctx.vfs.write(p, {
            type: 'file',
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: ctx.nowSec(),
            data: Buffer.alloc(0),
          });
      }
      return 0;
    }
    case 'chmod': {
      const mode = Number.parseInt(args.find((a) => /^[0-7]{3,4}$/.test(a)) ?? '', 8);
      for (const f of args.filter((a) => !a.startsWith('-') && !/^[0-7]{3,4}$/.test(a))) {
        const st = ctx.vfs.stat(abs(ctx, f));
        if (st && !Number.isNaN(mode)) ctx.vfs.write(abs(ctx, f), { ...st, mode });
      }
      return 0;
    }
    case 'chown':
      return 0;
    case 'test':
    case '[': {
      const a = args.filter((x) => x !== ']');
      const st = a[1] ? ctx.vfs.stat(abs(ctx, a[1])) : undefined;
      if (a[0] === '-d') return st?.type === 'dir' ? 0 : 1;
      if (a[0] === '-f') return st?.type === 'file' ? 0 : 1;
      if (a[0] === '-e') return st ? 0 : 1;
      return 1;
    }
    case 'du': {
      for (const t of args
        .filter((a) => !a.startsWith('-'))
        .concat(args.some((a) => !a.startsWith('-')) ? [] : ['.'])) {
        const total = ctx.vfs.walk(abs(ctx, t)).reduce((n, f) => n + f.data.length, 0);
        out.stdout.push(Buffer.from(`${total}\t${t}\n`));
      }
      return 0;
    }
    case 'wc': {
      const b =
        args.length && !args[args.length - 1]!.startsWith('-')
          ? (ctx.vfs.stat(abs(ctx, args[args.length - 1]!))?.data ?? Buffer.alloc(0))
          : stdin;
      if (args.includes('-c')) out.stdout.push(Buffer.from(`${b.length}\n`));
      else out.stdout.push(Buffer.from(`${b.toString().split('\n').length - 1}\n`));
      return 0;
    }
    case 'sort': {
      const lines = stdin
        .toString()
        .split('\n')
        .filter((l) => l !== '');
      lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      out.stdout.push(Buffer.from(lines.map((l) => `${l}\n`).join('')));
      return 0;
    }
    case 'head':
    case 'tail': {
      const n = Number(args[args.indexOf('-n') + 1] ?? 10) || 10;
      const lines = stdin
        .toString()
        .split('\n')
        .filter((l) => l !== '');
      const pick = cmd === 'head' ? lines.slice(0, n) : lines.slice(-n);
      out.stdout.push(Buffer.from(pick.map((l) => `${l}\n`).join('')));
      return 0;
    }
    case 'base64': {
      if (args.includes('-d')) out.stdout.push(Buffer.from(stdin.toString().replace(/\s+/g, ''), 'base64'));
      else out.stdout.push(Buffer.from(`${stdin.toString('base64')}\n`));
      return 0;
    }
    case 'env':
    case 'printenv':
      out.stdout.push(
        Buffer.from('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOME=/root\n'),
      );
      return 0;
    case 'hostname':
      out.stdout.push(Buffer.from('sandbox\n'));
      return 0;
    default:
      return err(`sh: ${cmd0}: not found`, 127);
  }
}

/** Run a shell script: `;`, `&&`, `||`, `|`, `>`/`>>` redirects, `2>/dev/null`. */
export function runScript(ctx: Ctx, script: string, stdin: Buffer): ShellResult {
  const toks = tokenize(script);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let code = 0;
  let i = 0;
  let skip = false;
  try {
    while (i < toks.length) {
      // one pipeline
      const stages: {
        argv: string[];
        redirect?: { file: string; append: boolean };
        silenceErr: boolean;
        input?: string;
      }[] = [{ argv: [], silenceErr: false }];
      while (i < toks.length) {
        const t = toks[i]!;
        if ('op' in t && (t.op === ';' || t.op === '&&' || t.op === '||')) break;
        const st = stages[stages.length - 1]!;
        if ('op' in t) {
          if (t.op === '|') stages.push({ argv: [], silenceErr: false });
          else if (t.op === '>' || t.op === '>>') {
            const f = toks[++i];
            if (f && 'word' in f) st.redirect = { file: f.word, append: t.op === '>>' };
          } else if (t.op === '2>') {
            i++;
            st.silenceErr = true;
          } else if (t.op === '<') {
            const f = toks[++i];
            if (f && 'word' in f) st.input = f.word;
          }
        } else st.argv.push(t.word);
        i++;
      }
      if (!skip) {
        let data = stdin;
        for (const st of stages) {
          const input = st.input ? (ctx.vfs.stat(abs(ctx, st.input))?.data ?? Buffer.alloc(0)) : data;
          const r = runArgv(
            ctx,
            st.argv.map((a) => (a === '$PWD' ? ctx.cwd : a)),
            input,
          );
          code = r.code;
          if (!st.silenceErr) stderr.push(r.stderr);
          if (st.redirect) {
            if (st.redirect.file !== '/dev/null') {
              const p = abs(ctx, st.redirect.file);
              const prev = st.redirect.append ? (ctx.vfs.stat(p)?.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
              ctx.vfs.write(p, {
                type: 'file',
                mode: 0o644,
                uid: 0,
                gid: 0,
                mtime: ctx.nowSec(),
                data: Buffer.concat([prev, r.stdout]),
              });
            }
            data = Buffer.alloc(0);
          } else data = r.stdout;
        }
        stdout.push(data);
      }
      const sep = toks[i];
      i++;
      if (sep && 'op' in sep) skip = sep.op === '&&' ? code !== 0 : sep.op === '||' ? code === 0 : false;
    }
  } catch (e) {
    if (e instanceof Exit) code = e.code;
    else throw e;
  }
  return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), code };
}

export function runExec(
  vfs: Vfs,
  argv: string[],
  stdin: Buffer,
  nowSec: () => number,
  cwd = '/',
): ShellResult {
  const ctx: Ctx = { vfs, cwd, nowSec };
  try {
    return runArgv(ctx, argv, stdin);
  } catch (e) {
    if (e instanceof Exit) return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), code: e.code };
    throw e;
  }
}

/** Whether a command will read stdin (so the exec waits for stdin to close before running it). */
export function readsStdin(argv: string[]): boolean {
  const text = argv.join(' ');
  return (
    /\btar\s+(-\w*x|x\w*|--extract)/.test(text) ||
    /\b(cat|sha256sum|base64)\s*(-d\s*)?($|\||>|;|&)/.test(text) ||
    /\btar\s+-\w*\s.*-x/.test(text) ||
    ((argv[0] ?? '').endsWith('sh') && !argv.includes('-c'))
  );
}
