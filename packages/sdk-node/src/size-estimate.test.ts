import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateJsonBytes } from './size-estimate';

describe('estimateJsonBytes', () => {
  it('stays close to the real JSON size of typical ASCII properties', () => {
    const samples: unknown[] = [
      {},
      { plan: 'pro', seats: 3, trial: false, coupon: null },
      { cart: { items: [{ sku: 'A-1', qty: 2, price: 9.99 }, { sku: 'B-22', qty: 1, price: 120 }], total: 139.98 }, currency: 'EUR' },
      { text: 'x'.repeat(5_000), tags: ['a', 'b', 'c'] },
    ];
    for (const sample of samples) {
      const real = JSON.stringify(sample).length;
      const estimate = estimateJsonBytes(sample);
      expect(estimate).toBeGreaterThanOrEqual(real);
      expect(estimate).toBeLessThanOrEqual(real * 1.6 + 16);
    }
  });

  it('counts an object as the sum of its entries, whatever the values (the shortcut for strings and numbers included)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), (object) => {
        let sum = 2;
        for (const [key, value] of Object.entries(object)) sum += key.length + 4 + estimateJsonBytes(value, 11);
        expect(estimateJsonBytes(object)).toBe(sum);
      }),
      { numRuns: 300 },
    );
  });

  it('stops at the depth limit instead of recursing forever', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(estimateJsonBytes(cyclic)).toBeGreaterThan(0);
  });
});
