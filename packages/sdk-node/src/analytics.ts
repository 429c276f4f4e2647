import PQueue from 'p-queue';
import type { AnyTaxonomy, EventName, WireEvent } from '@sluice/schema';
import { deliverBatch } from './deliver-batch';
import type { DeliveryConfig, DeliveryEvent } from './deliver-batch';
import { SDK_CEILINGS } from './defaults';
import { SluiceSdkError } from './errors';
import type { EventBuffer } from './event-buffer';
import { createEventBuffer } from './event-buffer';
import { createEventBuilder } from './event-builder';
import type { AliasMessage, GroupMessage, IdentifyMessage, PageMessage, ScreenMessage, TaxonomyParam, TrackMessage } from './messages';
import type { AnalyticsOptions, DropReason } from './options';
import { resolveOptions } from './options';
import { unref } from './platform';
import { installShutdownHooks } from './shutdown-hooks';

export interface AnalyticsStats {
  /** Events waiting in the queue. */
  queued: number;
  /** Events in batches being sent or waiting to be retried. */
  inFlight: number;
  /** Events the collector accepted. */
  sent: number;
  /** Requests retried (a batch retried three times counts three). */
  retried: number;
  /** Events dropped on purpose (queue full, too large, invalid, after or at shutdown); see `onDrop`. */
  dropped: number;
  /** Events that could not be delivered: refused, retries exhausted, cut off by the shutdown deadline. */
  failed: number;
  /** Events the collector received but rejected as invalid (not retried). */
  rejected: number;
}

export interface ShutdownResult {
  /** True when the deadline passed before everything was acknowledged. */
  timedOut: boolean;
  /** Events that were queued or in flight at the deadline and are lost (0 unless `timedOut`). */
  undelivered: number;
  stats: AnalyticsStats;
}

export interface Analytics<T extends TaxonomyParam = undefined> {
  /** Queues a track event; returns its messageId. Never throws and never waits. */
  track<N extends EventName<T>>(message: TrackMessage<T, N>): string;
  identify(message: IdentifyMessage<T>): string;
  page(message: PageMessage): string;
  screen(message: ScreenMessage): string;
  group(message: GroupMessage): string;
  alias(message: AliasMessage): string;
  /** Resolves when every event queued before the call is acknowledged, rejected, failed or dropped. Never rejects. */
  flush(): Promise<void>;
  /**
   * Stops accepting events, flushes, and resolves by `timeoutMs` (default `shutdownTimeoutMs`)
   * even when the collector is down; what could not be delivered is counted and reported.
   * Calling it again returns the same promise.
   */
  shutdown(options?: { timeoutMs?: number }): Promise<ShutdownResult>;
  stats(): AnalyticsStats;
}

interface Unit {
  /** Sequence number of the batch's first event. */
  minSeq: number;
  /** Events of the batch not yet reported sent, rejected or failed. */
  remaining: number;
  /** Written off by the shutdown deadline: whatever it reports later is ignored. */
  abandoned: boolean;
}

/** A never-firing, referenced timer that keeps Node alive while someone awaits a flush. */
const KEEP_ALIVE_MS = 2 ** 31 - 1;

/**
 * Creates a client. Pass the taxonomy (or only its type, `createAnalytics<typeof taxonomy>`) to get
 * typed calls:
 *
 * ```ts
 * const analytics = createAnalytics({ writeKey, endpoint: 'http://localhost:8080', taxonomy });
 * analytics.track({ event: 'Order Placed', userId: 'u1', properties: { total: 42, currency: 'EUR' } });
 * await analytics.shutdown();
 * ```
 */
export function createAnalytics<T extends TaxonomyParam = undefined>(options: AnalyticsOptions<T>): Analytics<T> {
  const o = resolveOptions(options);
  const { platform } = o;
  const onError = options.onError;
  const onDrop = options.onDrop;
  const waitUntil = options.waitUntil;
  const taxonomy = options.taxonomy as AnyTaxonomy | undefined;

  const buffer: EventBuffer = createEventBuffer(o.maxQueueSize);
  const queue = new PQueue({ concurrency: o.concurrency });
  const units = new Set<Unit>();
  const abort = new AbortController();
  const counters = { sent: 0, retried: 0, dropped: 0, failed: 0, rejected: 0 };
  const delivery: DeliveryConfig = {
    platform,
    url: o.url,
    headers: { authorization: o.authorization, 'user-agent': 'sluice-sdk-node' },
    encoding: o.encoding,
    compression: o.compression,
    retry: o.retry,
    timeoutMs: o.timeoutMs,
    maxBodyBytes: SDK_CEILINGS.maxBatchBytes,
    signal: abort.signal,
    gate: { notBefore: 0 },
  };

  let closed = false;
  /** Events with a sequence number below this are sent even as a partial batch (timer or flush). */
  let flushTarget = 0;
  let waiters: { target: number; resolve: () => void }[] = [];
  let intervalTimer: unknown;
  let keepAlive: unknown;
  let pumpScheduled = false;
  let waitUntilScheduled = false;
  const pendingDrops = new Map<DropReason, number>();
  let shutdownPromise: Promise<ShutdownResult> | undefined;
  let uninstallHooks: (() => void) | undefined;

  const report = (error: SluiceSdkError) => {
    if (!onError) return;
    try {
      onError(error);
    } catch {
      // a throwing callback must not break delivery
    }
  };

  const drop = (reason: DropReason, count: number) => {
    counters.dropped += count;
    const before = pendingDrops.get(reason);
    pendingDrops.set(reason, (before ?? 0) + count);
    if (pendingDrops.size === 1 && before === undefined) queueMicrotask(flushDrops);
  };

  const flushDrops = () => {
    const drops = [...pendingDrops];
    pendingDrops.clear();
    if (onDrop) {
      for (const [reason, count] of drops) {
        try {
          onDrop({ reason, count });
        } catch {
          // ignore
        }
      }
    }
    settleWaiters();
  };

  /** Sequence number of the oldest event not yet settled. */
  const lowestUnsettled = () => {
    let lowest = buffer.headSeq;
    for (const unit of units) if (!unit.abandoned && unit.minSeq < lowest) lowest = unit.minSeq;
    return lowest;
  };

  const settleWaiters = () => {
    if (waiters.length === 0) return;
    const lowest = lowestUnsettled();
    const still: typeof waiters = [];
    for (const waiter of waiters) {
      if (waiter.target <= lowest) waiter.resolve();
      else still.push(waiter);
    }
    waiters = still;
    if (waiters.length === 0 && keepAlive !== undefined) {
      platform.clearTimeout(keepAlive);
      keepAlive = undefined;
    }
  };

  const schedulePump = () => {
    if (pumpScheduled) return;
    pumpScheduled = true;
    queueMicrotask(pump);
  };

  const onDelivery = (unit: Unit, event: DeliveryEvent) => {
    if (unit.abandoned) return;
    const count = event.events.length;
    switch (event.kind) {
      case 'retry':
        counters.retried++;
        return;
      case 'sent': {
        const rejected = Math.min(event.rejected.length, count);
        counters.sent += count - rejected;
        counters.rejected += rejected;
        unit.remaining -= count;
        if (rejected > 0) {
          const first = event.rejected[0];
          report(
            new SluiceSdkError(
              'rejected',
              `the collector rejected ${rejected} of ${count} events${first ? `, e.g. ${first.messageId ?? `#${first.index}`}: ${first.reason} (at "${first.path}")` : ''}`,
              { status: 200, count: rejected, rejected: event.rejected, messageIds: event.rejected.map((r) => r.messageId ?? '') },
            ),
          );
        }
        return;
      }
      case 'failed':
        counters.failed += count;
        unit.remaining -= count;
        report(event.error);
    }
  };

  const startUnit = (events: WireEvent[], minSeq: number) => {
    const unit: Unit = { minSeq, remaining: events.length, abandoned: false };
    units.add(unit);
    void queue
      .add(() => deliverBatch(delivery, events, (event) => onDelivery(unit, event)))
      .catch((error: unknown) => {
        // deliverBatch does not throw; an encoder failure (e.g. a BigInt in JSON mode) lands here.
        if (unit.abandoned || unit.remaining === 0) return;
        counters.failed += unit.remaining;
        report(new SluiceSdkError('refused', `a batch of ${unit.remaining} events could not be encoded: ${String(error)}`, { count: unit.remaining, cause: error }));
        unit.remaining = 0;
      })
      .finally(() => {
        units.delete(unit);
        settleWaiters();
        schedulePump();
      });
  };

  function pump() {
    pumpScheduled = false;
    while (buffer.length > 0 && queue.size + queue.pending < o.concurrency) {
      const full = buffer.length >= o.flushAt || buffer.bytes >= o.maxBatchBytes;
      if (!full && buffer.headSeq >= flushTarget) break;
      const minSeq = buffer.headSeq;
      startUnit(buffer.take(o.flushAt, o.maxBatchBytes).events, minSeq);
    }
    if (buffer.length === 0 && intervalTimer !== undefined) {
      platform.clearTimeout(intervalTimer);
      intervalTimer = undefined;
    }
    settleWaiters();
  }

  const onInterval = () => {
    intervalTimer = undefined;
    flushTarget = Math.max(flushTarget, buffer.tailSeq);
    pump();
  };

  const enqueue = (event: WireEvent, bytes: number): string => {
    if (closed) {
      drop('closed', 1);
      return event.messageId;
    }
    if (bytes > SDK_CEILINGS.maxEventBytes) {
      drop('event_too_large', 1);
      report(
        new SluiceSdkError('invalid_event', `event ${event.messageId} is about ${bytes} bytes, over the limit of ${SDK_CEILINGS.maxEventBytes}; trim its properties`, {
          count: 1,
          messageIds: [event.messageId],
        }),
      );
      return event.messageId;
    }
    if (buffer.push(event, bytes) > 0) drop('queue_full', 1);
    if (buffer.length >= o.flushAt || buffer.bytes >= o.maxBatchBytes) schedulePump();
    else if (intervalTimer === undefined) {
      intervalTimer = platform.setTimeout(onInterval, o.flushIntervalMs);
      unref(intervalTimer);
    }
    if (waitUntil !== undefined && !waitUntilScheduled) {
      waitUntilScheduled = true;
      queueMicrotask(() => {
        waitUntilScheduled = false;
        waitUntil(flush());
      });
    }
    return event.messageId;
  };

  const invalidEvent = (messageId: string, message: string): string => {
    drop('invalid_event', 1);
    report(new SluiceSdkError('invalid_event', message, { count: 1, messageIds: [messageId] }));
    return messageId;
  };

  const build = createEventBuilder({ now: platform.now, context: options.context, taxonomy: o.validate ? taxonomy : undefined });

  function flush(): Promise<void> {
    const target = buffer.tailSeq;
    flushTarget = Math.max(flushTarget, target);
    pump();
    if (lowestUnsettled() >= target) return Promise.resolve();
    if (keepAlive === undefined) keepAlive = platform.setTimeout(() => undefined, KEEP_ALIVE_MS);
    return new Promise((resolve) => waiters.push({ target, resolve }));
  }

  const inFlight = () => {
    let count = 0;
    for (const unit of units) if (!unit.abandoned) count += unit.remaining;
    return count;
  };

  const stats = (): AnalyticsStats => ({ queued: buffer.length, inFlight: inFlight(), ...counters });

  const shutdown = (shutdownOptions: { timeoutMs?: number } = {}): Promise<ShutdownResult> => {
    if (shutdownPromise) return shutdownPromise;
    closed = true;
    uninstallHooks?.();
    const timeoutMs = shutdownOptions.timeoutMs ?? o.shutdownTimeoutMs;
    shutdownPromise = new Promise<ShutdownResult>((resolve) => {
      let done = false;
      const deadline = platform.setTimeout(() => {
        if (done) return;
        done = true;
        // Write off what is left, stop every wait and request, and answer now.
        const buffered = buffer.clear();
        if (buffered > 0) drop('shutdown_timeout', buffered);
        let abandoned = 0;
        for (const unit of units) {
          abandoned += unit.remaining;
          unit.remaining = 0;
          unit.abandoned = true;
        }
        counters.failed += abandoned;
        abort.abort();
        const undelivered = buffered + abandoned;
        if (undelivered > 0) {
          report(
            new SluiceSdkError(
              'shutdown_timeout',
              `shutdown reached its ${timeoutMs} ms deadline with ${undelivered} events undelivered (${buffered} queued, ${abandoned} in flight); the collector at ${o.url} may be down`,
              { count: undelivered },
            ),
          );
        }
        for (const waiter of waiters) waiter.resolve();
        waiters = [];
        if (keepAlive !== undefined) platform.clearTimeout(keepAlive);
        keepAlive = undefined;
        resolve({ timedOut: undelivered > 0, undelivered, stats: stats() });
      }, timeoutMs);
      void flush().then(() => {
        if (done) return;
        done = true;
        platform.clearTimeout(deadline);
        if (intervalTimer !== undefined) platform.clearTimeout(intervalTimer);
        abort.abort();
        resolve({ timedOut: false, undelivered: 0, stats: stats() });
      });
    });
    return shutdownPromise;
  };

  const analytics: Analytics<T> = {
    track(message) {
      const built = build.track(message as TrackMessage<undefined, string>);
      return built.error ? invalidEvent(built.event.messageId, built.error) : enqueue(built.event, built.bytes);
    },
    identify(message) {
      const built = build.identify(message as IdentifyMessage<undefined>);
      return built.error ? invalidEvent(built.event.messageId, built.error) : enqueue(built.event, built.bytes);
    },
    page(message) {
      const built = build.page('page', message);
      return built.error ? invalidEvent(built.event.messageId, built.error) : enqueue(built.event, built.bytes);
    },
    screen(message) {
      const built = build.page('screen', message);
      return built.error ? invalidEvent(built.event.messageId, built.error) : enqueue(built.event, built.bytes);
    },
    group(message) {
      const built = build.group(message);
      return built.error ? invalidEvent(built.event.messageId, built.error) : enqueue(built.event, built.bytes);
    },
    alias(message) {
      const built = build.alias(message);
      return built.error ? invalidEvent(built.event.messageId, built.error) : enqueue(built.event, built.bytes);
    },
    flush,
    shutdown,
    stats,
  };
  if (o.handleProcessSignals) uninstallHooks = installShutdownHooks(analytics, { timeoutMs: o.shutdownTimeoutMs });
  return analytics;
}

