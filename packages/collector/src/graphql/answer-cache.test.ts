import { describe, expect, it } from 'vitest';
import { createAnswerCache } from './answer-cache';

function counting() {
  const seen = { hit: 0, miss: 0, coalesced: 0, bytes: 0 };
  return {
    seen,
    observer: {
      hit: () => void seen.hit++,
      miss: () => void seen.miss++,
      coalesced: () => void seen.coalesced++,
      size: (bytes: number) => void (seen.bytes = bytes),
    },
  };
}

describe('answer cache', () => {
  it('answers a repeated question from memory until the TTL passes or rows land', async () => {
    let clock = 1_000;
    const { seen, observer } = counting();
    const cache = createAnswerCache({ ttlMs: 100, now: () => clock, observer });
    let runs = 0;
    const compute = async () => ++runs;
    expect(await cache.answer('q', 'k', compute)).toBe(1);
    expect(await cache.answer('q', 'k', compute)).toBe(1);
    expect(seen).toMatchObject({ hit: 1, miss: 1 });
    clock += 100;
    expect(await cache.answer('q', 'k', compute)).toBe(2);
    cache.invalidate();
    expect(await cache.answer('q', 'k', compute)).toBe(3);
    expect(await cache.answer('q', 'other', compute)).toBe(4);
    expect(seen).toMatchObject({ hit: 1, miss: 4 });
  });

  it('runs concurrent identical misses once, and never keeps an error', async () => {
    const { seen, observer } = counting();
    const cache = createAnswerCache({ observer });
    let runs = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const compute = async () => {
      runs++;
      await gate;
      return 'answer';
    };
    const all = Promise.all(Array.from({ length: 5 }, () => cache.answer('q', 'k', compute)));
    release();
    expect(await all).toEqual(Array(5).fill('answer'));
    expect(runs).toBe(1);
    expect(seen).toMatchObject({ miss: 1, coalesced: 4 });

    let fails = 0;
    const failing = async () => {
      fails++;
      throw new Error('boom');
    };
    await expect(cache.answer('q', 'bad', failing)).rejects.toThrow('boom');
    await expect(cache.answer('q', 'bad', failing)).rejects.toThrow('boom');
    expect(fails).toBe(2);
  });

  it('stays within its memory bound, dropping the least recently used answer first', async () => {
    const cache = createAnswerCache({ maxBytes: 150 });
    const value = 'x'.repeat(30); // about 2 × (1 + 32) = 66 bytes per entry
    await cache.answer('q', 'a', async () => value);
    await cache.answer('q', 'b', async () => value);
    await cache.answer('q', 'a', async () => 'recomputed'); // a is now the most recently used
    await cache.answer('q', 'c', async () => value);
    expect(cache.stats.bytes).toBeLessThanOrEqual(150);
    expect(cache.stats.entries).toBe(2);
    expect(await cache.answer('q', 'a', async () => 'recomputed')).toBe(value);
    expect(await cache.answer('q', 'b', async () => 'recomputed')).toBe('recomputed');
  });
});
