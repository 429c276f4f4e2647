import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import { createRateLimiter } from './rate-limit';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function refusal(take: () => void): CollectorError {
  try {
    take();
  } catch (error) {
    return error as CollectorError;
  }
  throw new Error('expected a 429');
}

describe('rate limiting (token bucket)', () => {
  it('is off by default', () => {
    expect(DEFAULTS.rateLimit.eventsPerSecond).toBe(0);
    const limiter = createRateLimiter(undefined);
    for (let i = 0; i < 1000; i++) limiter.take('k', 10_000);
  });

  it('allows the burst, then answers 429 with a Retry-After computed from the refill rate', () => {
    const t = clock();
    const limiter = createRateLimiter({ eventsPerSecond: 10, burst: 20 }, t.now);
    limiter.take('k', 15);
    limiter.take('k', 5);
    const error = refusal(() => limiter.take('k', 10));
    expect(error).toBeInstanceOf(CollectorError);
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBe(1); // 10 tokens at 10/s
    expect(error.message).toMatch(/10 events\/s .*retry after 1 s/);
    t.advance(999);
    expect(() => limiter.take('k', 10)).toThrow(CollectorError);
    t.advance(1);
    limiter.take('k', 10);
  });

  it('rounds Retry-After up and keeps a bucket per write key', () => {
    const t = clock();
    const limiter = createRateLimiter({ eventsPerSecond: 2, burst: 2 }, t.now);
    limiter.take('a', 2);
    limiter.take('b', 2); // another key has its own bucket
    expect(refusal(() => limiter.take('a', 2)).retryAfterSeconds).toBe(1);
    t.advance(250); // 0.5 token
    expect(refusal(() => limiter.take('a', 2)).retryAfterSeconds).toBe(1); // 1.5 tokens at 2/s = 0.75 s → 1
  });

  it('defaults the burst to one second worth and never refills past it', () => {
    const t = clock();
    const limiter = createRateLimiter({ eventsPerSecond: 100 }, t.now);
    t.advance(3_600_000);
    limiter.take('k', 100);
    expect(() => limiter.take('k', 1)).toThrow(/may send 100 events\/s \(bursts of 100\)/);
  });

  it('lets a request larger than the burst through only from a full bucket, leaving it in debt', () => {
    const t = clock();
    const limiter = createRateLimiter({ eventsPerSecond: 10, burst: 10 }, t.now);
    limiter.take('k', 50); // full bucket: allowed, 40 in debt
    const error = refusal(() => limiter.take('k', 1));
    expect(error.retryAfterSeconds).toBe(5); // from -40 to 1 token at 10/s = 4.1 s → 5
    t.advance(4_100);
    limiter.take('k', 1);
  });

  it('shares one bucket across keys with scope global, and a grant override wins', () => {
    const t = clock();
    const limiter = createRateLimiter({ eventsPerSecond: 5, burst: 5, scope: 'global' }, t.now);
    limiter.take('a', 3);
    expect(() => limiter.take('b', 3)).toThrow(/this collector may send 5 events\/s/);
    limiter.take('vip', 100, { eventsPerSecond: 1000, burst: 1000 });
  });
});
