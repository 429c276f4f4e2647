import { describe, expect, it } from 'vitest';
import { batchToken, decodePending, encodePending } from './pending-range';

describe('pending range metadata', () => {
  it('round-trips a range', () => {
    const range = { first: 12n, last: 9_007_199_254_740_993n };
    expect(encodePending(range)).toBe('sluice:pending:12-9007199254740993');
    expect(decodePending(encodePending(range))).toEqual(range);
  });

  it('ignores metadata it did not write', () => {
    for (const metadata of [null, undefined, '', 'other-tool', 'sluice:pending:5', 'sluice:pending:9-3', 'sluice:pending:a-b']) {
      expect(decodePending(metadata)).toBeUndefined();
    }
  });
});

describe('batchToken', () => {
  it('is the same for the same range of the same partition, and differs otherwise', () => {
    const token = batchToken('events', 2, { first: 100n, last: 199n });
    expect(token).toBe('kafka-events-2-100-199');
    expect(batchToken('events', 2, { first: 100n, last: 199n })).toBe(token);
    expect(batchToken('events', 3, { first: 100n, last: 199n })).not.toBe(token);
    expect(batchToken('events', 2, { first: 100n, last: 200n })).not.toBe(token);
  });

  it('stays within 200 characters for the longest topic names', () => {
    const token = batchToken('t'.repeat(249), 0, { first: 0n, last: 1n });
    expect(token.length).toBeLessThanOrEqual(200);
    expect(token).toMatch(/^[A-Za-z0-9_.:-]+$/);
  });
});
