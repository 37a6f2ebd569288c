import { describe, expect, it } from 'vitest';
import { scrapeAccess } from './scrape-access.ts';

describe('scrapeAccess', () => {
  it('lets only loopback read metrics when no token is configured', () => {
    for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1'])
      expect(scrapeAccess({ token: undefined, socketAddress: a, authorization: undefined }).ok).toBe(true);
    for (const a of ['10.0.0.5', '192.168.1.2', '::ffff:10.1.1.1', undefined])
      expect(scrapeAccess({ token: undefined, socketAddress: a, authorization: undefined })).toMatchObject({
        ok: false,
        status: 403,
      });
  });

  it('requires the token from everyone, loopback included, once one is configured', () => {
    const token = 'scrape-secret-123456';
    expect(scrapeAccess({ token, socketAddress: '10.0.0.5', authorization: `Bearer ${token}` }).ok).toBe(
      true,
    );
    expect(scrapeAccess({ token, socketAddress: '127.0.0.1', authorization: undefined })).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(scrapeAccess({ token, socketAddress: '10.0.0.5', authorization: 'Bearer scrape' })).toMatchObject({
      ok: false,
      status: 401,
    });
  });
});
