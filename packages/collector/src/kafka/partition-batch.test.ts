import { describe, expect, it } from 'vitest';
import { createPartitionBatch } from './partition-batch';

const limits = { maxRows: 3, maxBytes: 1_000, maxDelayMs: 1_000 };
const line = (text: string) => Buffer.from(text);

describe('partition batch', () => {
  it('takes records from the committed offset on, skipping what a fetch returned before it', () => {
    const batch = createPartitionBatch(0, 10n, undefined);
    expect(batch.take(9n, 'events', line('["a",9]'), 0)).toBe(false);
    expect(batch.take(10n, 'events', line('["a",10]'), 0)).toBe(true);
    expect(batch.take(11n, 'events_quarantine', line('{"q":11}'), 0)).toBe(true);
    expect(batch.range()).toEqual({ first: 10n, last: 11n });
    const lines = batch.lines();
    expect(lines.events.toString()).toBe('["a",10]\n');
    expect(lines.quarantine.toString()).toBe('{"q":11}\n');
    expect([lines.eventRows, lines.quarantineRows]).toEqual([1, 1]);
  });

  it("rewrites an earlier collector's JSONEachRow event objects as the current event lines", () => {
    const batch = createPartitionBatch(0, 0n, undefined);
    batch.take(0n, 'events', line('{"project":"p","message_id":"m"}\n["p","n"]'), 0);
    const [first, second] = batch.lines().events.toString().split('\n');
    expect(JSON.parse(first ?? '').slice(0, 3)).toEqual(['p', 'm', null]);
    expect(second).toBe('["p","n"]');
    expect(batch.rows).toBe(2);
    expect(batch.bytes).toBe(batch.lines().events.length); // the rewritten lines, as the insert sends them
  });

  it('counts every line of a record as a row, and is due when full or old', () => {
    const batch = createPartitionBatch(0, 0n, undefined);
    batch.take(0n, 'events', line('{"a":1}\n{"a":2}'), 0);
    expect(batch.rows).toBe(2);
    expect(batch.due(limits, 10, false)).toBe(false);
    expect(batch.due(limits, 1_000, false)).toBe(true);
    batch.take(1n, 'events', line('{"a":3}'), 0);
    expect(batch.due(limits, 10, false)).toBe(true);
  });

  it('re-forms a pending range exactly: nothing past its last offset', () => {
    const batch = createPartitionBatch(0, 5n, { first: 5n, last: 6n });
    batch.take(5n, 'events', line('{"a":5}'), 0);
    expect(batch.due(limits, 0, false)).toBe(false);
    batch.take(6n, 'events', line('{"a":6}'), 0);
    expect(batch.take(7n, 'events', line('{"a":7}'), 0)).toBe(false);
    expect(batch.due(limits, 0, false)).toBe(true);
    expect(batch.range()).toEqual({ first: 5n, last: 6n });
  });

  it('keeps a frozen range while its insert is retried, and starts after it once committed', () => {
    const batch = createPartitionBatch(0, 0n, undefined);
    batch.take(0n, 'events', line('{"a":0}'), 0);
    batch.freeze({ first: 0n, last: 0n });
    expect(batch.take(1n, 'events', line('{"a":1}'), 0)).toBe(false);
    batch.reset(1n);
    expect(batch.rows).toBe(0);
    expect(batch.take(1n, 'events', line('{"a":1}'), 0)).toBe(true);
    expect(batch.range()).toEqual({ first: 1n, last: 1n });
  });
});
