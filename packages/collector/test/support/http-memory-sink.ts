import { CollectorError } from '../../src/errors';
import type { EventRow, QuarantineRow, RowBatch } from '../../src/rows';
import type { Sink } from '../../src/sink';

/** A Sink that keeps rows in arrays; `overloaded` / `failWith` make it refuse the next writes. */
export interface MemorySink extends Sink {
  events: EventRow[];
  quarantine: QuarantineRow[];
  writes: RowBatch[];
  overloaded: boolean;
  failWith: Error | undefined;
  closed: boolean;
}

export function createMemorySink(): MemorySink {
  const sink: MemorySink = {
    events: [],
    quarantine: [],
    writes: [],
    overloaded: false,
    failWith: undefined,
    closed: false,
    async write(rows) {
      if (sink.overloaded) throw new CollectorError('overloaded', 'buffers are full; retry later', { retryAfterSeconds: 7 });
      if (sink.failWith) throw sink.failWith;
      sink.writes.push(rows);
      sink.events.push(...rows.events);
      sink.quarantine.push(...rows.quarantine);
    },
    async ready() {
      return !sink.overloaded && !sink.closed;
    },
    async close() {
      sink.closed = true;
    },
  };
  return sink;
}
