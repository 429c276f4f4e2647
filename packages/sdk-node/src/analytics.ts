import type { AnyTaxonomy, EventName, WireEvent } from '@sluice/schema';
import { LIMITS } from '@sluice/schema/wire';
import { createBatchPump } from './batch-pump';
import type { DeliveryConfig } from './deliver-batch';
import { createDropReports } from './drop-reports';
import { createErrorReports } from './error-reports';
import { SluiceSdkError } from './errors';
import { createEventBuffer } from './event-buffer';
import { createEventBuilder } from './event-builder';
import { createFlushWaiters } from './flush-waiters';
import { createInFlight } from './in-flight';
import type { AliasMessage, GroupMessage, IdentifyMessage, PageMessage, ScreenMessage, TaxonomyParam, TrackMessage } from './messages';
import type { AnalyticsOptions } from './options';
import { resolveOptions } from './options';
import { shutdownWithDeadline } from './shutdown';
import type { ShutdownResult as DeadlineResult } from './shutdown';
import { installShutdownHooks } from './shutdown-hooks';
import { createWaitUntil } from './wait-until';

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

export type ShutdownResult = DeadlineResult<AnalyticsStats>;

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

/**
 * Creates a client. Pass the taxonomy (or only its type, `createAnalytics<typeof taxonomy>`) to get
 * typed calls:
 *
 * ```ts
 * const analytics = createAnalytics({ writeKey, endpoint: 'http://localhost:8080', taxonomy });
 * analytics.track({ event: 'Order Placed', userId: 'u1', properties: { total: 42, currency: 'EUR' } });
 * await analytics.shutdown();
 * ```
 *
 * This module only wires the parts together: the queue (`event-buffer`), the batches on the wire
 * (`in-flight`, `deliver-batch`), when to send (`batch-pump`), `flush()` (`flush-waiters`), reports
 * (`drop-reports`, `error-reports`), serverless (`wait-until`) and the deadline (`shutdown`).
 */
export function createAnalytics<T extends TaxonomyParam = undefined>(options: AnalyticsOptions<T>): Analytics<T> {
  const resolved = resolveOptions(options);
  const { platform } = resolved;
  const abort = new AbortController();
  const counters = { sent: 0, retried: 0, failed: 0, rejected: 0 };
  const build = createEventBuilder({ now: platform.now, context: options.context, taxonomy: resolved.validate ? (options.taxonomy as AnyTaxonomy | undefined) : undefined });
  const delivery: DeliveryConfig = {
    platform,
    url: resolved.url,
    headers: { authorization: resolved.authorization, 'user-agent': 'sluice-sdk-node' },
    encoding: resolved.encoding,
    compression: resolved.compression,
    context: build.sharedContext,
    retry: resolved.retry,
    timeoutMs: resolved.timeoutMs,
    maxBodyBytes: LIMITS.maxBatchBytes,
    signal: abort.signal,
    gate: { notBefore: 0 },
  };

  const report = createErrorReports(options.onError);
  const buffer = createEventBuffer(resolved.maxQueueSize);
  const settleWaiters = () => waiters.settle();
  const drops = createDropReports(options.onDrop, settleWaiters);
  const inFlight = createInFlight({ delivery, counters, report, onSettled: () => (settleWaiters(), pump.schedule()) });
  const waiters = createFlushWaiters(platform, () => inFlight.lowestSeq(buffer.headSeq));
  const pump = createBatchPump({ ...resolved, buffer, inFlight, onPumped: settleWaiters });

  let closed = false;
  let shutdownPromise: Promise<ShutdownResult> | undefined;
  let uninstallHooks: (() => void) | undefined;

  function flush(): Promise<void> {
    const target = buffer.tailSeq;
    pump.flushUpTo(target);
    return waiters.wait(target);
  }
  const scheduleWaitUntil = createWaitUntil(options.waitUntil, flush);

  const enqueue = (event: WireEvent, bytes: number): string => {
    if (closed) {
      drops.drop('closed', 1);
      return event.messageId;
    }
    if (bytes > LIMITS.maxEventBytes) {
      drops.drop('event_too_large', 1);
      report(
        new SluiceSdkError('invalid_event', `event ${event.messageId} is about ${bytes} bytes, over the limit of ${LIMITS.maxEventBytes}; trim its properties`, {
          count: 1,
          messageIds: [event.messageId],
        }),
      );
      return event.messageId;
    }
    // maxQueueSize bounds every event held, in flight included: past it the oldest queued event
    // goes, or, when everything held is already on the wire, the new one.
    if (buffer.length + inFlight.events >= resolved.maxQueueSize) {
      drops.drop('queue_full', 1);
      if (!buffer.dropOldest()) return event.messageId;
    }
    buffer.push(event, bytes);
    pump.queued();
    scheduleWaitUntil();
    return event.messageId;
  };

  const invalidEvent = (messageId: string, message: string): string => {
    drops.drop('invalid_event', 1);
    report(new SluiceSdkError('invalid_event', message, { count: 1, messageIds: [messageId] }));
    return messageId;
  };

  const stats = (): AnalyticsStats => ({ queued: buffer.length, inFlight: inFlight.events, dropped: drops.dropped, ...counters });

  const shutdown = (shutdownOptions: { timeoutMs?: number } = {}): Promise<ShutdownResult> => {
    if (shutdownPromise) return shutdownPromise;
    closed = true;
    uninstallHooks?.();
    shutdownPromise = shutdownWithDeadline({
      platform,
      timeoutMs: shutdownOptions.timeoutMs ?? resolved.shutdownTimeoutMs,
      url: resolved.url,
      flush,
      writeOff() {
        const queued = buffer.clear();
        if (queued > 0) drops.drop('shutdown_timeout', queued);
        const abandoned = inFlight.abandonAll();
        counters.failed += abandoned;
        return { queued, inFlight: abandoned };
      },
      stop() {
        abort.abort();
        pump.stopTimer();
        waiters.releaseAll();
      },
      report,
      stats,
    });
    return shutdownPromise;
  };

  const queueBuilt = (built: { event: WireEvent; bytes: number; error?: string }) =>
    built.error ? invalidEvent(built.event.messageId, built.error) : enqueue(built.event, built.bytes);
  const analytics: Analytics<T> = {
    track: (message) => queueBuilt(build.track(message as TrackMessage<undefined, string>)),
    identify: (message) => queueBuilt(build.identify(message as IdentifyMessage<undefined>)),
    page: (message) => queueBuilt(build.page('page', message)),
    screen: (message) => queueBuilt(build.page('screen', message)),
    group: (message) => queueBuilt(build.group(message)),
    alias: (message) => queueBuilt(build.alias(message)),
    flush,
    shutdown,
    stats,
  };
  if (resolved.handleProcessSignals) uninstallHooks = installShutdownHooks(analytics, { timeoutMs: resolved.shutdownTimeoutMs });
  return analytics;
}
