import type { WireEvent } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import { createEventBuffer } from './event-buffer';

const ev = (i: number): WireEvent => ({ type: 'track', messageId: `m${i}`, timestamp: '2025-01-01T00:00:00.000Z', event: 'E', userId: 'u' });
const names = (events: WireEvent[]) => events.map((e) => e.messageId);

describe('createEventBuffer', () => {
  it('takes batches by count, oldest first', () => {
    const buffer = createEventBuffer(100);
    for (let i = 0; i < 25; i++) buffer.push(ev(i), 10);
    expect(names(buffer.take(10, 1e9).events)).toEqual(names(Array.from({ length: 10 }, (_, i) => ev(i))));
    expect(buffer.length).toBe(15);
    expect(buffer.bytes).toBe(150);
    expect(buffer.take(100, 1e9).events).toHaveLength(15);
    expect(buffer.length).toBe(0);
    expect(buffer.bytes).toBe(0);
  });

  it('takes batches by bytes, but always at least one event', () => {
    const buffer = createEventBuffer(100);
    [30, 30, 30, 500, 10].forEach((size, i) => buffer.push(ev(i), size));
    expect(buffer.take(100, 70)).toEqual({ events: [ev(0), ev(1)], bytes: 60 });
    expect(buffer.take(100, 70)).toEqual({ events: [ev(2)], bytes: 30 });
    expect(buffer.take(100, 70)).toEqual({ events: [ev(3)], bytes: 500 });
    expect(buffer.take(100, 70)).toEqual({ events: [ev(4)], bytes: 10 });
  });

  it('drops the oldest past capacity and says so', () => {
    const buffer = createEventBuffer(3);
    const dropped = [0, 1, 2, 3, 4].map((i) => buffer.push(ev(i), 7));
    expect(dropped).toEqual([0, 0, 0, 1, 1]);
    expect(buffer.length).toBe(3);
    expect(buffer.bytes).toBe(21);
    expect(names(buffer.take(10, 1e9).events)).toEqual(['m2', 'm3', 'm4']);
  });

  it('numbers events so the head sequence counts everything that left', () => {
    const buffer = createEventBuffer(5);
    for (let i = 0; i < 8; i++) buffer.push(ev(i), 1);
    expect(buffer.tailSeq).toBe(8);
    expect(buffer.headSeq).toBe(3);
    buffer.take(2, 1e9);
    expect(buffer.headSeq).toBe(5);
    expect(buffer.clear()).toBe(3);
    expect(buffer.headSeq).toBe(8);
    expect(buffer.length).toBe(0);
  });

  it('stays correct across compaction with a long-running mix of pushes, drops and takes', () => {
    const buffer = createEventBuffer(10_000);
    const expected: string[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3_000; i++) {
        buffer.push(ev(next), 1);
        expected.push(`m${next++}`);
        if (expected.length > 10_000) expected.shift();
      }
      const taken = names(buffer.take(1_000 + round * 37, 1e9).events);
      expect(taken).toEqual(expected.splice(0, taken.length));
      expect(buffer.length).toBe(expected.length);
      expect(buffer.bytes).toBe(expected.length);
    }
  });
});
