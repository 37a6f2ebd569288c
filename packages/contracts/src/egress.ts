import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent, type AgentOptions as HttpAgentOptions, request as httpRequest } from 'node:http';
import {
  Agent as HttpsAgent,
  type AgentOptions as HttpsAgentOptions,
  request as httpsRequest,
} from 'node:https';
import { BlockList, isIP, type TcpNetConnectOpts } from 'node:net';
import type { Duplex } from 'node:stream';

type ConnectOptions = TcpNetConnectOpts & { hostname?: string };

/**
 * Egress policy: where Dolly's hosts may connect on a tenant's behalf. Every cloud SDK client and
 * every Kubernetes client Dolly builds connects through agents made here, so a tenant-set endpoint,
 * a server URL a cloud (or something posing as one) returned, or a DNS name that changes its answer
 * after it was checked can never reach loopback, link-local (cloud metadata) or private ranges —
 * unless the operator allows them in DOLLY_ENDPOINT_ALLOWLIST. Node-only (`@dolly/contracts/egress`).
 */
const INTERNAL = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(net, bits, 'ipv6');

function unmapped(address: string): { address: string; type: 'ipv4' | 'ipv6' } | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return { address: mapped, type: 'ipv4' };
  return { address, type: family === 4 ? 'ipv4' : 'ipv6' };
}

export function isInternalAddress(address: string): boolean {
  const a = unmapped(address);
  return a ? INTERNAL.check(a.address, a.type) : false;
}

/**
 * The operator's allow-list, from DOLLY_ENDPOINT_ALLOWLIST: comma-separated entries, each a host
 * name or address (`sandbox`, `10.0.0.5`), a domain suffix (`.corp.example`, `*.corp.example`)
 * or a CIDR range of addresses (`10.20.0.0/16`, for private cluster endpoints inside a VPC).
 */
export interface EgressPolicy {
  hosts: ReadonlySet<string>;
  suffixes: readonly string[];
  ranges: BlockList;
  /** the entries as the operator wrote them, for messages */
  entries: readonly string[];
}

export function parseEgressPolicy(spec: string | readonly string[] | undefined): EgressPolicy {
  const entries = (typeof spec === 'string' ? spec.split(',') : (spec ?? []))
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const ranges = new BlockList();
  for (const e of entries) {
    const cidr = /^([0-9a-f:.]+)\/(\d{1,3})$/.exec(e);
    if (cidr?.[1] && isIP(cidr[1])) {
      const type = isIP(cidr[1]) === 4 ? 'ipv4' : 'ipv6';
      ranges.addSubnet(cidr[1], Number(cidr[2]), type);
    } else if (e.startsWith('*.') || e.startsWith('.')) suffixes.push(e.slice(e.indexOf('.')));
    else hosts.add(e.replace(/^\[|\]$/g, ''));
  }
  return { hosts, suffixes, ranges, entries };
}

/** The policy of this process, from its environment (DOLLY_ENDPOINT_ALLOWLIST), read once. */
let processPolicy: EgressPolicy | undefined;
export function egressPolicyFromEnv(): EgressPolicy {
  processPolicy ??= parseEgressPolicy(process.env.DOLLY_ENDPOINT_ALLOWLIST);
  return processPolicy;
}

export function hostAllowed(policy: EgressPolicy, host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (policy.hosts.has(h)) return true;
  return policy.suffixes.some((s) => h.endsWith(s));
}

function addressAllowed(policy: EgressPolicy, address: string): boolean {
  const a = unmapped(address);
  if (!a) return false;
  return policy.hosts.has(a.address) || policy.ranges.check(a.address, a.type) || !isInternalAddress(address);
}

export class EgressRefused extends Error {
  readonly code = 'EDOLLY_EGRESS';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      `refused to connect to ${host}: it is an internal address (${address}); the operator can allow it in DOLLY_ENDPOINT_ALLOWLIST`,
    );
    this.name = 'EgressRefused';
  }
}

/** Checks a host (name or address literal) against already resolved addresses. */
export function egressVerdict(
  policy: EgressPolicy,
  host: string,
  addresses: readonly string[],
): EgressRefused | undefined {
  if (hostAllowed(policy, host)) return undefined;
  const bad = addresses.find((a) => !addressAllowed(policy, a));
  return bad ? new EgressRefused(host, bad) : undefined;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for net/http/https agents: resolves as Node would, then refuses the connection when
 * any answer is internal. Checking at connect time (not only when the URL was saved) is what
 * defeats DNS rebinding and cloud-returned server names.
 */
export function egressLookup(policy: EgressPolicy) {
  return (hostname: string, options: LookupOptions | number | undefined, callback: LookupCallback): void => {
    const opts: LookupOptions = typeof options === 'number' ? { family: options } : { ...(options ?? {}) };
    const all: LookupAllOptions = { ...opts, all: true };
    dnsLookup(hostname, all, (err, addresses) => {
      if (err) return callback(err, opts.all ? [] : '', undefined);
      const refused = egressVerdict(
        policy,
        hostname,
        addresses.map((a) => a.address),
      );
      if (refused)
        return callback(Object.assign(refused, { errno: undefined }), opts.all ? [] : '', undefined);
      if (opts.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Node skips `lookup` when the host is an address literal, so a URL is checked once up front too.
 * Throws EgressRefused.
 */
export function assertEgressUrl(policy: EgressPolicy, url: string | URL): void {
  const u = typeof url === 'string' ? new URL(url) : url;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const refused = egressVerdict(policy, host, [host]);
    if (refused) throw refused;
  }
}

/**
 * Makes an agent egress-checked: host names go through the egress lookup, and address literals
 * (for which Node never calls `lookup`) are checked before the socket is opened.
 */
export function guardAgent<A extends HttpAgent>(agent: A, policy: EgressPolicy): A {
  type Create = (
    options: ConnectOptions,
    cb: (err: Error | null, socket?: Duplex) => void,
  ) => Duplex | undefined;
  const inner = agent as unknown as { createConnection: Create };
  const original = inner.createConnection.bind(agent);
  const lookup = egressLookup(policy);
  inner.createConnection = (options, cb) => {
    const host = String(options.host ?? options.hostname ?? '').replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const refused = egressVerdict(policy, host, [host]);
      if (refused) {
        cb(refused);
        return undefined;
      }
    }
    return original({ ...options, lookup }, cb);
  };
  return agent;
}

/** Agents for SDK clients: every connection they open is egress-checked. */
export function egressAgents(
  policy: EgressPolicy,
  opts: Pick<HttpsAgentOptions, 'ca' | 'keepAlive' | 'maxSockets'> = {},
): { http: HttpAgent; https: HttpsAgent } {
  const common: HttpAgentOptions = { keepAlive: opts.keepAlive ?? true };
  if (opts.maxSockets) common.maxSockets = opts.maxSockets;
  return {
    http: guardAgent(new HttpAgent(common), policy),
    https: guardAgent(new HttpsAgent({ ...common, ...(opts.ca ? { ca: opts.ca } : {}) }), policy),
  };
}

/** What `egressFetch` sends: the subset of fetch's options that OAuth/OIDC clients use. */
export interface EgressFetchInit {
  method?: string;
  headers?: Record<string, string>;
  /** streams are refused: OIDC requests are small forms */
  body?: string | URLSearchParams | Uint8Array | ArrayBuffer | ReadableStream | null;
  signal?: AbortSignal | undefined;
}

/**
 * A fetch for requests to tenant-set hosts (an identity provider's issuer): every socket goes
 * through the egress-checked agents, redirects are never followed (the caller sees the 3xx), and
 * an answer larger than `maxBytes` is cut off rather than read into memory. Node's own fetch
 * cannot take these agents, hence node:http underneath.
 */
export function egressFetch(
  policy: EgressPolicy,
  opts: { timeoutMs?: number; maxBytes?: number } = {},
): (url: string, init?: EgressFetchInit) => Promise<Response> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const agents = egressAgents(policy, { keepAlive: false });
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const u = new URL(url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') {
        reject(new Error(`unsupported scheme ${u.protocol}`));
        return;
      }
      try {
        assertEgressUrl(policy, u);
      } catch (error) {
        reject(error);
        return;
      }
      const raw = init.body;
      if (raw instanceof ReadableStream) {
        reject(new Error('streamed request bodies are not supported'));
        return;
      }
      const body =
        raw === undefined || raw === null
          ? undefined
          : typeof raw === 'string'
            ? Buffer.from(raw)
            : raw instanceof URLSearchParams
              ? Buffer.from(raw.toString())
              : Buffer.from(raw instanceof ArrayBuffer ? new Uint8Array(raw) : raw);
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (body) headers['content-length'] = String(body.length);
      if (
        raw instanceof URLSearchParams &&
        !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
      )
        headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
      const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        u,
        {
          method: init.method ?? 'GET',
          agent: u.protocol === 'https:' ? agents.https : agents.http,
          headers,
          timeout: timeoutMs,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              res.destroy(new Error(`${u.host} answered with more than ${maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const out = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value === undefined) continue;
              for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
            }
            const status = res.statusCode ?? 502;
            // a Response with a body may not carry a null-body status (204, 304)
            const nullBody = status === 204 || status === 304 || (init.method ?? 'GET') === 'HEAD';
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: out }));
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${u.host} did not answer within ${timeoutMs / 1000} s`)),
      );
      req.on('error', reject);
      req.end(body);
    });
}
