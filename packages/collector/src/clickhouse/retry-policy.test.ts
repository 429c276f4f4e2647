import { describe, expect, it } from 'vitest';
import { backoffMs, createRetryPolicy } from './retry-policy';

describe('backoffMs', () => {
  const options = { baseMs: 200, capMs: 30_000 };
  it('grows exponentially up to the cap, with full jitter', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffMs(attempt, options, () => 0.999_999))).toEqual([199, 399, 799, 1599]);
    expect(backoffMs(20, options, () => 0.999_999)).toBe(29_999);
    expect(backoffMs(5_000, options, () => 0.999_999)).toBe(29_999);
    expect(backoffMs(5, options, () => 0)).toBe(0);
    expect(backoffMs(1, options, () => 0.5)).toBe(200);
  });
});

describe('createRetryPolicy', () => {
  const transient = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const platform = (slept: number[]) => ({ random: () => 0.5, sleep: async (ms: number) => void slept.push(ms) });

  it('retries transient failures with the backoff, up to `attempts` tries', async () => {
    const slept: number[] = [];
    const policy = createRetryPolicy({ attempts: 4, baseMs: 100, capMs: 1_000 }, platform(slept));
    let tries = 0;
    await expect(policy.run(async () => { tries++; throw transient(); })).rejects.toThrow('ECONNREFUSED');
    expect(tries).toBe(4);
    expect(slept).toEqual([50, 100, 200]);
  });

  it('returns the first success, and does not retry what cannot succeed', async () => {
    const policy = createRetryPolicy({ attempts: 5, baseMs: 1, capMs: 1 }, platform([]));
    let tries = 0;
    await expect(policy.run(async (attempt) => { tries++; if (attempt < 3) throw transient(); return 'ok'; })).resolves.toBe('ok');
    expect(tries).toBe(3);
    tries = 0;
    await expect(policy.run(async () => { tries++; throw new Error('Unknown table sluice.nope'); })).rejects.toThrow('Unknown table');
    expect(tries).toBe(1);
  });

  it('retries forever with Infinity, until the signal aborts', async () => {
    const stop = new AbortController();
    const seen: number[] = [];
    const policy = createRetryPolicy({ attempts: Number.POSITIVE_INFINITY, baseMs: 1, capMs: 1 }, platform([]));
    const run = policy.run(async (attempt) => { if (attempt === 50) stop.abort(); throw new Error(`try ${attempt}`); }, {
      signal: stop.signal, retryable: () => true, onRetry: (_error, attempt) => seen.push(attempt),
    });
    await expect(run).rejects.toThrow('try 50');
    expect(seen).toHaveLength(49);
  });
});
