import type { WireEvent } from '@sluice/schema';

/**
 * The bounded FIFO of events waiting to be sent. Pushing past `capacity` drops the oldest event.
 * Events leave only from the head (taken into a batch, or dropped), so the sequence number of the
 * head is simply the number of events that ever left: `flush()` relies on that.
 */
export interface EventBuffer {
  /** Adds an event of `bytes` estimated bytes; returns how many old events were dropped to make room (0 or 1). */
  push(event: WireEvent, bytes: number): number;
  /**
   * Removes and returns up to `maxEvents` events from the head whose estimated size stays within
   * `maxBytes` (always at least one event when not empty).
   */
  take(maxEvents: number, maxBytes: number): { events: WireEvent[]; bytes: number };
  /** Drops the oldest event; false when there was none. */
  dropOldest(): boolean;
  /** Drops every buffered event and returns how many there were. */
  clear(): number;
  readonly length: number;
  readonly bytes: number;
  /** Sequence number of the head event: every event that ever left the buffer. */
  readonly headSeq: number;
  /** Sequence number the next pushed event gets: every event that was ever pushed. */
  readonly tailSeq: number;
}

export function createEventBuffer(capacity: number): EventBuffer {
  let events: (WireEvent | undefined)[] = [];
  let sizes: number[] = [];
  let head = 0;
  let bytes = 0;
  let left = 0;
  let pushed = 0;

  const compact = () => {
    if (head > 4096 && head * 2 > events.length) {
      events = events.slice(head);
      sizes = sizes.slice(head);
      head = 0;
    }
  };

  const dropHead = () => {
    bytes -= sizes[head]!;
    events[head] = undefined;
    head++;
    left++;
  };

  return {
    push(event, size) {
      let dropped = 0;
      if (events.length - head >= capacity) {
        dropHead();
        dropped = 1;
        compact();
      }
      events.push(event);
      sizes.push(size);
      bytes += size;
      pushed++;
      return dropped;
    },
    take(maxEvents, maxBytes) {
      const start = head;
      let end = head;
      let taken = 0;
      const stop = Math.min(events.length, head + maxEvents);
      while (end < stop) {
        const size = sizes[end]!;
        if (end > start && taken + size > maxBytes) break;
        taken += size;
        end++;
      }
      const batch = events.slice(start, end) as WireEvent[];
      for (let i = start; i < end; i++) events[i] = undefined;
      left += end - start;
      head = end;
      bytes -= taken;
      if (head === events.length) {
        events = [];
        sizes = [];
        head = 0;
      } else compact();
      return { events: batch, bytes: taken };
    },
    dropOldest() {
      if (events.length === head) return false;
      dropHead();
      compact();
      return true;
    },
    clear() {
      const count = events.length - head;
      left += count;
      events = [];
      sizes = [];
      head = 0;
      bytes = 0;
      return count;
    },
    get length() {
      return events.length - head;
    },
    get bytes() {
      return bytes;
    },
    get headSeq() {
      return left;
    },
    get tailSeq() {
      return pushed;
    },
  };
}
