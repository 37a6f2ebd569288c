import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertEgressUrl,
  EgressRefused,
  egressAgents,
  egressVerdict,
  hostAllowed,
  isInternalAddress,
  parseEgressPolicy,
} from './egress.ts';

describe('isInternalAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:169.254.169.254', true],
    ['172.32.0.1', false],
    ['8.8.8.8', false],
    ['203.0.113.10', false],
    ['2001:4860:4860::8888', false],
    ['::ffff:8.8.8.8', false],
    ['not-an-address', false],
  ])('%s → %s', (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });
});

describe('parseEgressPolicy', () => {
  const policy = parseEgressPolicy(' Sandbox , .corp.example,*.lab.example, 10.20.0.0/16 ,[::1], fd00::/8,');

  it('reads hosts, suffixes (both spellings) and CIDR ranges, case-insensitively', () => {
    expect([...policy.hosts].sort()).toEqual(['::1', 'sandbox']);
    expect(policy.suffixes).toEqual(['.corp.example', '.lab.example']);
    expect(policy.entries).toHaveLength(6);
    expect(hostAllowed(policy, 'SANDBOX')).toBe(true);
    expect(hostAllowed(policy, 'api.corp.example')).toBe(true);
    expect(hostAllowed(policy, 'k8s.eu.lab.example')).toBe(true);
    expect(hostAllowed(policy, 'corp.example.evil.com')).toBe(false);
    expect(hostAllowed(policy, 'evilcorp.example')).toBe(false);
  });

  it('lets an address through when it is in an allowed range, and nothing else internal', () => {
    expect(egressVerdict(policy, 'k8s.internal', ['10.20.3.4'])).toBeUndefined();
    expect(egressVerdict(policy, 'k8s.internal', ['10.21.3.4'])).toBeInstanceOf(EgressRefused);
    expect(egressVerdict(policy, 'x', ['fd12::1'])).toBeUndefined();
    expect(egressVerdict(policy, 'x', ['fe80::1'])).toBeInstanceOf(EgressRefused);
    expect(egressVerdict(policy, '::1', ['::1'])).toBeUndefined();
  });

  it('refuses a name when any of its answers is internal (one bad record is enough)', () => {
    const none = parseEgressPolicy('');
    const refused = egressVerdict(none, 'rebind.example', ['203.0.113.10', '169.254.169.254']);
    expect(refused?.message).toMatch(/rebind\.example.*169\.254\.169\.254.*DOLLY_ENDPOINT_ALLOWLIST/);
    expect(egressVerdict(none, 'public.example', ['203.0.113.10'])).toBeUndefined();
  });

  it('checks address literals in URLs, which never go through a DNS lookup', () => {
    const none = parseEgressPolicy(undefined);
    expect(() => assertEgressUrl(none, 'https://169.254.169.254/latest/meta-data')).toThrow(EgressRefused);
    expect(() => assertEgressUrl(none, 'https://[::1]:6443/')).toThrow(EgressRefused);
    expect(() => assertEgressUrl(none, 'https://203.0.113.10/')).not.toThrow();
    expect(() => assertEgressUrl(parseEgressPolicy('127.0.0.1'), 'http://127.0.0.1:1/')).not.toThrow();
  });
});

describe('egressAgents: checked when the socket is opened', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits += 1;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const fetchWith = (url: string, agent: import('node:http').Agent) =>
    new Promise<string>((resolve, reject) => {
      get(url, { agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });

  it('refuses a loopback address literal before a byte is sent', async () => {
    const before = hits;
    const { http } = egressAgents(parseEgressPolicy(''), { keepAlive: false });
    await expect(fetchWith(`http://127.0.0.1:${port}/`, http)).rejects.toThrow(
      /internal address \(127\.0\.0\.1\)/,
    );
    expect(hits).toBe(before);
  });

  it('refuses a name that resolves to loopback (the DNS answer is checked, not the name)', async () => {
    const before = hits;
    const { http } = egressAgents(parseEgressPolicy(''), { keepAlive: false });
    await expect(fetchWith(`http://localhost:${port}/`, http)).rejects.toMatchObject({
      code: 'EDOLLY_EGRESS',
    });
    expect(hits).toBe(before);
  });

  it('connects when the operator allow-listed the host, the name or the range', async () => {
    for (const spec of ['127.0.0.1', 'localhost', '127.0.0.0/8']) {
      const { http } = egressAgents(parseEgressPolicy(spec), { keepAlive: false });
      const host = spec === 'localhost' ? 'localhost' : '127.0.0.1';
      await expect(fetchWith(`http://${host}:${port}/`, http)).resolves.toBe('ok');
    }
  });
});
