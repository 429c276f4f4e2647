import type { WireEvent } from '@sluice/schema';
import type { DeliveryConfig, DeliveryEvent } from './deliver-batch';
import { deliverBatch } from './deliver-batch';
import { SluiceSdkError } from './errors';
import { rejectionError } from './error-reports';

/** What became of events once they left the queue. */
export interface DeliveryCounters {
  sent: number;
  retried: number;
  failed: number;
  rejected: number;
}

interface Batch {
  /** Sequence number of the batch's first event. */
  minSeq: number;
  /** Events of the batch not yet reported sent, rejected or failed. */
  remaining: number;
  /** Written off by the shutdown deadline: whatever it reports later is ignored. */
  abandoned: boolean;
}

export interface InFlightOptions {
  delivery: DeliveryConfig;
  counters: DeliveryCounters;
  report: (error: SluiceSdkError) => void;
  /** Called when a batch is settled: a slot is free and some flushes may be done. */
  onSettled: () => void;
}

/**
 * The batches being sent or waiting to be retried: each is delivered by `deliverBatch`, and its
 * progress lands in the counters. Knows how many batches and events are out, and the oldest of them.
 */
export function createInFlight({ delivery, counters, report, onSettled }: InFlightOptions) {
  const batches = new Set<Batch>();
  let events = 0;

  const settle = (batch: Batch, count: number) => {
    batch.remaining -= count;
    events -= count;
  };

  const onDelivery = (batch: Batch, event: DeliveryEvent) => {
    if (batch.abandoned) return;
    const count = event.events.length;
    switch (event.kind) {
      case 'retry':
        counters.retried++;
        return;
      case 'sent': {
        const rejected = Math.min(event.rejected.length, count);
        counters.sent += count - rejected;
        counters.rejected += rejected;
        settle(batch, count);
        if (rejected > 0) report(rejectionError(event.rejected.slice(0, rejected), count));
        return;
      }
      case 'failed':
        counters.failed += count;
        settle(batch, count);
        report(event.error);
    }
  };

  return {
    /** Starts delivering `batch`, whose first event has sequence number `minSeq`. */
    start(batchEvents: WireEvent[], minSeq: number): void {
      const batch: Batch = { minSeq, remaining: batchEvents.length, abandoned: false };
      batches.add(batch);
      events += batchEvents.length;
      deliverBatch(delivery, batchEvents, (event) => onDelivery(batch, event))
        .catch((error: unknown) => {
          // deliverBatch does not throw; an encoder failure (e.g. a BigInt in JSON mode) lands here.
          if (batch.abandoned || batch.remaining === 0) return;
          counters.failed += batch.remaining;
          report(new SluiceSdkError('refused', `a batch of ${batch.remaining} events could not be encoded: ${String(error)}`, { count: batch.remaining, cause: error }));
          settle(batch, batch.remaining);
        })
        .finally(() => {
          batches.delete(batch);
          onSettled();
        });
    },
    /** Batches out now (the concurrency in use). */
    get batches(): number {
      return batches.size;
    },
    /** Events out now, not yet settled. */
    get events(): number {
      return events;
    },
    /** Sequence number of the oldest unsettled event out, or `fallback` when there is none. */
    lowestSeq(fallback: number): number {
      let lowest = fallback;
      for (const batch of batches) if (!batch.abandoned && batch.minSeq < lowest) lowest = batch.minSeq;
      return lowest;
    },
    /** Writes every batch off (the shutdown deadline); returns how many events they still held. */
    abandonAll(): number {
      const abandoned = events;
      for (const batch of batches) {
        batch.abandoned = true;
        batch.remaining = 0;
      }
      events = 0;
      return abandoned;
    },
  };
}
