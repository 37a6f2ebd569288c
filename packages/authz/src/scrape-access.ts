import { createHash, timingSafeEqual } from 'node:crypto';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export type ScrapeAccess = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/**
 * Who may read /metrics (API and worker alike). Metrics name tenants' run counts and routes, so
 * they are not public: with a configured token every scraper must send it; without one only the
 * host itself (loopback) may read them. The socket's address decides, never X-Forwarded-For.
 */
export function scrapeAccess(opts: {
  token: string | undefined;
  socketAddress: string | undefined;
  authorization: string | undefined;
}): ScrapeAccess {
  if (opts.token) {
    const sent = opts.authorization?.startsWith('Bearer ') ? opts.authorization.slice(7).trim() : '';
    const digest = (v: string) => createHash('sha256').update(v).digest();
    return sent && timingSafeEqual(digest(sent), digest(opts.token))
      ? { ok: true }
      : { ok: false, status: 401, reason: 'Send the metrics token as a Bearer token' };
  }
  return LOOPBACK.test(opts.socketAddress ?? '')
    ? { ok: true }
    : { ok: false, status: 403, reason: 'Metrics answer loopback only unless DOLLY_METRICS_TOKEN is set' };
}
