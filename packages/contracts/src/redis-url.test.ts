import { describe, expect, it } from 'vitest';
import { redisUrlSchema } from './redis-url.ts';

describe('REDIS_URL', () => {
  it('accepts a loopback Redis without a password and a remote one with a password', () => {
    for (const url of ['redis://127.0.0.1:6379', 'redis://localhost:6380/0', 'redis://[::1]:6379'])
      expect(redisUrlSchema.safeParse(url).success, url).toBe(true);
    expect(redisUrlSchema.safeParse('rediss://:s3cret@redis.internal:6379').success).toBe(true);
  });

  it('refuses a remote Redis without a password, saying how to give one', () => {
    const parsed = redisUrlSchema.safeParse('redis://redis.internal:6379');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/needs a password.*redis:\/\/:PASSWORD@/);
  });
});
