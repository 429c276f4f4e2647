/**
 * Both SDKs against every answer of the wire protocol, from one table: a real HTTP server on a free
 * port answers the first request (or every request) with a status, and the test asserts what each
 * SDK then did on the wire (which batches it sent, retried or split) and what it counted.
 *
 * The expectations are written out here, not derived from `statusAction`, so a change to the
 * shared table in `@sluice/schema/wire` has to be made here on purpose too.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorld } from '../packages/sdk-browser/test/fake-browser';
import { createAnalytics as createNodeAnalytics } from '../packages/sdk-node/src/index';
import type { FakeCollector, Plan } from '../packages/sdk-node/test/integration/fake-collector';
import { startFakeCollector } from '../packages/sdk-node/test/integration/fake-collector';

type Answer = number | 'reset' | 'rejection';

interface Row {
  answer: Answer;
  /** `first`: only the first request gets `answer`, later ones 200; `always`: every request does. */
  when: 'first' | 'always';
  /** Events per request, in the order they crossed the wire (a batch of two events is tracked). */
  requests: number[];
  counts: { sent: number; rejected: number; dropped: number; failed: number };
}

const delivered = { sent: 2, rejected: 0, dropped: 0, failed: 0 };
const givenUp = { sent: 0, rejected: 0, dropped: 0, failed: 2 };
const retried = (answer: Answer): Row => ({ answer, when: 'first', requests: [2, 2], counts: delivered });
const refused = (answer: Answer): Row => ({ answer, when: 'first', requests: [2], counts: givenUp });

/** Three tries per batch in both SDKs (see `clients` below). */
const TABLE: Row[] = [
  { answer: 200, when: 'first', requests: [2], counts: delivered },
  { answer: 'rejection', when: 'first', requests: [2], counts: { sent: 1, rejected: 1, dropped: 0, failed: 0 } },
  refused(400),
  refused(401),
  refused(403),
  refused(404),
  retried(408),
  { answer: 413, when: 'first', requests: [2, 1, 1], counts: delivered },
  refused(415),
  refused(422),
  retried(429),
  retried(500),
  retried(502),
  retried(503),
  retried(504),
  retried('reset'),
  { answer: 408, when: 'always', requests: [2, 2, 2], counts: givenUp },
  { answer: 413, when: 'always', requests: [2, 1, 1], counts: givenUp },
  { answer: 429, when: 'always', requests: [2, 2, 2], counts: givenUp },
  { answer: 503, when: 'always', requests: [2, 2, 2], counts: givenUp },
  { answer: 'reset', when: 'always', requests: [2, 2, 2], counts: givenUp },
];

const plan =
  ({ answer, when }: Row) =>
  (_: unknown, index: number): Plan => {
    if (when === 'first' && index > 0) return { status: 200 };
    if (answer === 'reset') return 'reset';
    if (answer === 'rejection') return { status: 200, body: { success: true, accepted: 1, rejected: [{ index: 1, messageId: null, reason: 'invalid', path: 'event' }] } };
    if (answer < 300) return { status: answer };
    return { status: answer, headers: answer === 429 || answer === 503 ? { 'retry-after': '0' } : {}, body: { success: false, code: 'test', message: `answered ${answer}` } };
  };

/** Each SDK, made to send two events to `url` as one batch and to report what it counted once they settled. */
const clients = {
  'sdk-node': async (url: string) => {
    const analytics = createNodeAnalytics({ writeKey: 'k', endpoint: url, retry: { attempts: 3, baseMs: 1, capMs: 1 }, flushIntervalMs: 3_600_000 });
    analytics.track({ event: 'First', userId: 'u' });
    analytics.track({ event: 'Second', userId: 'u' });
    await analytics.flush();
    const { sent, rejected, dropped, failed } = analytics.stats();
    await analytics.shutdown({ timeoutMs: 1_000 });
    return { sent, rejected, dropped, failed };
  },
  'sdk-browser': async (url: string) => {
    const { analytics, close } = createWorld().tab({
      endpoint: url,
      retryAttempts: 3,
      retryBaseMs: 1,
      retryCapMs: 1,
      flushIntervalMs: 3_600_000,
      // The real clock, timers and network instead of the fake world's.
      platform: {
        fetch: (input, init) => fetch(input, init),
        now: Date.now,
        random: Math.random,
        setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
        clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
      },
    });
    analytics.track('First');
    analytics.track('Second');
    await analytics.flush();
    // flush() resolves when sending pauses for a retry; the retries run on timers, so wait for every event to settle.
    await vi.waitFor(() => {
      const { sent, rejected, failed } = analytics.stats;
      expect(sent + rejected + failed).toBe(2);
    });
    close();
    return { ...analytics.stats };
  },
};

let server: FakeCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.each(Object.entries(clients))('%s follows the wire status table', (_, run) => {
  it.each(TABLE.map((row) => [`${row.answer} (${row.when})`, row] as const))('%s', async (_, row) => {
    server = await startFakeCollector(plan(row));
    const counts = await run(server.url);
    expect(server.requests.map((request) => request.body.batch.length)).toEqual(row.requests);
    expect(counts).toEqual(row.counts);
    // Retries and halves resend the same events: never a new messageId, never one lost on the wire.
    const ids = new Set(server.requests.flatMap((request) => request.body.batch.map((event) => event.messageId)));
    expect(ids.size).toBe(2);
  });
});
