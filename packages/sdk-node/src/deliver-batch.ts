import type { Context, Rejection, WireEvent } from '@sluice/schema';
import { retryDelay } from '@sluice/schema/wire';
import type { Compression, Encoding } from './encode-batch';
import { encodeBatch } from './encode-batch';
import { SluiceSdkError } from './errors';
import type { Platform } from './platform';
import { sleep } from './platform';
import type { RetryPolicy } from './retry-policy';
import { sendRequest } from './send-request';

export interface DeliveryConfig {
  platform: Platform;
  url: string;
  headers: Record<string, string>;
  encoding: Encoding;
  compression: Compression;
  /** Sent once per request as the batch's `context`; the collector merges it into every event. */
  context: Context;
  retry: RetryPolicy;
  timeoutMs: number;
  /** Largest body before compression; a bigger batch is split locally before it is sent. */
  maxBodyBytes: number;
  /** Aborts every wait and request for good (the shutdown deadline). */
  signal: AbortSignal;
  /**
   * Earliest time (epoch ms) any request may be sent, shared by all batches: a `Retry-After` from
   * the collector holds back every request, not only the one that got it.
   */
  gate: { notBefore: number };
}

/** Progress of one batch, reported as it happens (a 413 split can settle parts at different times). */
export type DeliveryEvent =
  | { kind: 'sent'; events: WireEvent[]; rejected: Rejection[] }
  | { kind: 'failed'; events: WireEvent[]; error: SluiceSdkError }
  | { kind: 'retry'; events: WireEvent[]; reason: string; delayMs: number };

/**
 * Delivers one batch: waits for the shared gate, sends, retries with backoff and full jitter
 * (never before `Retry-After`), splits on 413. Resolves when every event of the batch is either
 * reported sent or failed, or when `signal` aborts (the caller accounts for what was left).
 */
export async function deliverBatch(config: DeliveryConfig, events: WireEvent[], report: (event: DeliveryEvent) => void): Promise<void> {
  const { platform, signal, gate, retry } = config;
  for (let attempt = 0; ; attempt++) {
    // Wait for the gate; loop because another batch may push it further while we sleep.
    for (let wait = gate.notBefore - platform.now(); wait > 0; wait = gate.notBefore - platform.now()) {
      if (!(await sleep(platform, wait, signal))) return;
    }
    if (signal.aborted) return;
    const encoded = await encodeBatch({ batch: events, sentAt: new Date(platform.now()).toISOString(), context: config.context }, config.encoding, config.compression);
    if (encoded.rawBytes > config.maxBodyBytes && events.length > 1) return splitAndDeliver(config, events, report);
    const outcome = await sendRequest(platform, {
      url: config.url,
      headers: { ...config.headers, ...encoded.headers },
      body: encoded.body,
      timeoutMs: config.timeoutMs,
      signal,
    });
    switch (outcome.kind) {
      case 'aborted':
        return;
      case 'accept':
        report({ kind: 'sent', events, rejected: outcome.rejected });
        return;
      case 'split':
        if (events.length > 1) return splitAndDeliver(config, events, report);
        report({
          kind: 'failed',
          events,
          error: new SluiceSdkError('too_large', `the collector refused a single event as too large (${outcome.reason}); trim its properties`, {
            status: outcome.status,
            count: 1,
            messageIds: ids(events),
          }),
        });
        return;
      case 'drop':
        report({
          kind: 'failed',
          events,
          error: new SluiceSdkError('refused', `the collector refused a batch of ${events.length} events: ${outcome.reason}`, {
            status: outcome.status,
            count: events.length,
            messageIds: ids(events),
          }),
        });
        return;
      case 'retry': {
        if (outcome.retryAfterMs !== undefined) gate.notBefore = Math.max(gate.notBefore, platform.now() + outcome.retryAfterMs);
        if (attempt + 1 >= retry.attempts) {
          report({
            kind: 'failed',
            events,
            error: new SluiceSdkError(
              'retries_exhausted',
              `gave up on a batch of ${events.length} events after ${retry.attempts} tries; last: ${outcome.reason}`,
              { status: outcome.status, count: events.length, messageIds: ids(events), cause: outcome.cause },
            ),
          });
          return;
        }
        const delayMs = retryDelay(attempt, retry, platform.random, outcome.retryAfterMs);
        report({ kind: 'retry', events, reason: outcome.reason, delayMs });
        if (!(await sleep(platform, delayMs, signal))) return;
      }
    }
  }
}

async function splitAndDeliver(config: DeliveryConfig, events: WireEvent[], report: (event: DeliveryEvent) => void): Promise<void> {
  const middle = Math.ceil(events.length / 2);
  await deliverBatch(config, events.slice(0, middle), report);
  if (config.signal.aborted) return;
  await deliverBatch(config, events.slice(middle), report);
}

function ids(events: WireEvent[]): string[] {
  return events.map((event) => event.messageId);
}
