import type { EventBuffer } from './event-buffer';
import type { createInFlight } from './in-flight';
import type { Platform } from './platform';
import { unref } from './platform';

export interface BatchPumpOptions {
  platform: Platform;
  buffer: EventBuffer;
  inFlight: ReturnType<typeof createInFlight>;
  flushAt: number;
  maxBatchBytes: number;
  flushIntervalMs: number;
  concurrency: number;
  /** Called after each run: some flushes may be done. */
  onPumped: () => void;
}

/**
 * Moves events from the queue into batches on the wire: a full batch (`flushAt` events or
 * `maxBatchBytes`) at once, a partial one when the interval timer fires or a flush asks for it, and
 * never more than `concurrency` batches out at a time. Runs at most once per microtask.
 */
export function createBatchPump(options: BatchPumpOptions) {
  const { platform, buffer, inFlight } = options;
  /** Events with a sequence number below this are sent even as a partial batch (timer or flush). */
  let flushTarget = 0;
  let intervalTimer: unknown;
  let scheduled = false;

  const isFull = () => buffer.length >= options.flushAt || buffer.bytes >= options.maxBatchBytes;

  const stopTimer = () => {
    if (intervalTimer === undefined) return;
    platform.clearTimeout(intervalTimer);
    intervalTimer = undefined;
  };

  const pump = () => {
    scheduled = false;
    while (buffer.length > 0 && inFlight.batches < options.concurrency) {
      if (!isFull() && buffer.headSeq >= flushTarget) break;
      const minSeq = buffer.headSeq;
      inFlight.start(buffer.take(options.flushAt, options.maxBatchBytes).events, minSeq);
    }
    if (buffer.length === 0) stopTimer();
    options.onPumped();
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(pump);
  };

  /** Sends everything queued up to now, even as partial batches. */
  const flushUpTo = (target: number) => {
    flushTarget = Math.max(flushTarget, target);
    pump();
  };

  return {
    pump,
    schedule,
    flushUpTo,
    stopTimer,
    /** After an event was queued: pump now when a batch is full, or arm the interval timer. */
    queued(): void {
      if (isFull()) schedule();
      else if (intervalTimer === undefined) {
        intervalTimer = platform.setTimeout(() => {
          intervalTimer = undefined;
          flushUpTo(buffer.tailSeq);
        }, options.flushIntervalMs);
        unref(intervalTimer);
      }
    },
  };
}

