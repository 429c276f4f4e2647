import { defineTaxonomy } from '@sluice/schema';
import { unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAnalytics } from './analytics';
import type { AnalyticsOptions, DropReport } from './options';
import { SluiceSdkError } from './errors';

/** A clock and timers the test moves by hand, and a fetch that records what it was sent and when. */
function manualPlatform(respond: (call: number) => Response | Promise<Response> = () => Response.json({ success: true, accepted: 0, rejected: [] })) {
  let now = 1_750_000_000_000;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const calls: { at: number; batch: { messageId: string; event?: string }[] }[] = [];
  const settle = async () => {
    for (let i = 0; i < 30; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  const options = {
    writeKey: 'k',
    endpoint: 'http://collector.test',
    compression: 'none',
    now: () => now,
    random: () => 0.5,
    timers: {
      setTimeout: (callback: () => void, ms: number) => {
        const id = nextId++;
        timers.set(id, { at: now + ms, callback });
        return id;
      },
      clearTimeout: (handle: unknown) => void timers.delete(handle as number),
    },
    fetch: async (_url: string | URL | Request, init?: RequestInit) => {
      const body = unpack(init?.body as Uint8Array) as { batch: { messageId: string; event?: string }[] };
      calls.push({ at: now, batch: body.batch });
      return respond(calls.length - 1);
    },
  } satisfies Partial<AnalyticsOptions>;
  /** Moves the clock forward, firing due timers in order and letting promises run in between. */
  const advance = async (ms: number) => {
    const end = now + ms;
    await settle();
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].callback();
      await settle();
    }
    now = end;
    await settle();
  };
  return { options, calls, advance, settle, pendingTimers: () => timers.size };
}

describe('createAnalytics with an injected platform', () => {
  it('never sends before Retry-After, for the batch that got it and for the others', async () => {
    const platform = manualPlatform((call) =>
      call === 0 ? new Response('{}', { status: 429, headers: { 'retry-after': '5' } }) : Response.json({ success: true, accepted: 1, rejected: [] }),
    );
    const analytics = createAnalytics({ ...platform.options, flushAt: 1, concurrency: 1, retry: { attempts: 5, baseMs: 10, capMs: 10 } });
    analytics.track({ event: 'A', userId: 'u' });
    await platform.settle();
    expect(platform.calls).toHaveLength(1);
    const t0 = platform.calls[0]!.at;
    analytics.track({ event: 'B', userId: 'u' });
    await platform.advance(4_999);
    expect(platform.calls).toHaveLength(1);
    await platform.advance(1);
    await platform.advance(0);
    expect(platform.calls.map((c) => [c.at - t0, c.batch[0]!.event])).toEqual([
      [0, 'A'],
      [5_000, 'A'],
      [5_000, 'B'],
    ]);
    expect(analytics.stats()).toMatchObject({ sent: 2, retried: 1 });
  });

  it('backs off exponentially with jitter when there is no Retry-After', async () => {
    const platform = manualPlatform(() => new Response('', { status: 503 }));
    const analytics = createAnalytics({ ...platform.options, flushAt: 1, retry: { attempts: 4, baseMs: 100, capMs: 250 } });
    analytics.track({ event: 'A', userId: 'u' });
    await platform.advance(10_000);
    const times = platform.calls.map((c) => c.at - platform.calls[0]!.at);
    // random() = 0.5: half of min(cap, base·2^n) = 50, 100, 125.
    expect(times).toEqual([0, 50, 150, 275]);
    expect(analytics.stats()).toMatchObject({ failed: 1, retried: 3 });
  });

  it('sends a partial batch after flushIntervalMs and cancels the timer once the queue is empty', async () => {
    const platform = manualPlatform();
    const analytics = createAnalytics({ ...platform.options, flushIntervalMs: 1_000 });
    analytics.track({ event: 'A', userId: 'u' });
    await platform.advance(999);
    expect(platform.calls).toHaveLength(0);
    await platform.advance(1);
    expect(platform.calls).toHaveLength(1);
    expect(platform.pendingTimers()).toBe(0);
  });

  it('hands one flush per synchronous run of calls to waitUntil', async () => {
    const platform = manualPlatform();
    const handed: Promise<unknown>[] = [];
    const analytics = createAnalytics({ ...platform.options, waitUntil: (p) => handed.push(p), flushIntervalMs: 60_000 });
    analytics.track({ event: 'A', userId: 'u' });
    analytics.track({ event: 'B', userId: 'u' });
    await Promise.resolve();
    expect(handed).toHaveLength(1);
    await handed[0];
    expect(platform.calls.map((c) => c.batch.map((e) => e.event))).toEqual([['A', 'B']]);
    analytics.track({ event: 'C', userId: 'u' });
    await Promise.resolve();
    expect(handed).toHaveLength(2);
    await handed[1];
    expect(platform.calls).toHaveLength(2);
  });

  it('returns the messageId, generated or given', () => {
    const platform = manualPlatform();
    const analytics = createAnalytics(platform.options);
    expect(analytics.track({ event: 'A', userId: 'u', messageId: 'mine-1' })).toBe('mine-1');
    expect(analytics.track({ event: 'A', userId: 'u' })).toMatch(/^0197[0-9a-f]{4}-[0-9a-f]{4}-7/);
  });

  it('drops and reports an event without userId or anonymousId, and one that is too large', async () => {
    const platform = manualPlatform();
    const drops: DropReport[] = [];
    const errors: SluiceSdkError[] = [];
    const analytics = createAnalytics({ ...platform.options, onDrop: (d) => drops.push(d), onError: (e) => errors.push(e) });
    analytics.track({ event: 'A' } as never);
    analytics.track({ event: 'Huge', userId: 'u', properties: { blob: 'x'.repeat(40_000) } });
    await platform.settle();
    expect(drops).toEqual([
      { reason: 'invalid_event', count: 1 },
      { reason: 'event_too_large', count: 1 },
    ]);
    expect(errors.map((e) => e.code)).toEqual(['invalid_event', 'invalid_event']);
    expect(analytics.stats()).toMatchObject({ queued: 0, dropped: 2 });
  });

  it('validates against the runtime taxonomy only with validate: true', async () => {
    const taxonomy = defineTaxonomy({ events: { 'Order Placed': z.object({ total: z.number() }) }, traits: z.object({ plan: z.string() }) });
    const platform = manualPlatform();
    const errors: SluiceSdkError[] = [];
    const strict = createAnalytics({ ...platform.options, taxonomy, validate: true, onError: (e) => errors.push(e) });
    strict.track({ event: 'Order Placed', userId: 'u', properties: { total: '42' as unknown as number } });
    strict.identify({ userId: 'u', traits: { plan: 3 as unknown as string } });
    strict.track({ event: 'Order Placed', userId: 'u', properties: { total: 42 } });
    expect(strict.stats()).toMatchObject({ queued: 1, dropped: 2 });
    expect(errors[0]!.message).toContain('total');
    const lax = createAnalytics({ ...platform.options, taxonomy });
    lax.track({ event: 'Order Placed', userId: 'u', properties: { total: '42' as unknown as number } });
    expect(lax.stats()).toMatchObject({ queued: 1, dropped: 0 });
  });

  it('refuses calls after shutdown and counts them', async () => {
    const platform = manualPlatform();
    const drops: DropReport[] = [];
    const analytics = createAnalytics({ ...platform.options, onDrop: (d) => drops.push(d) });
    const done = analytics.shutdown({ timeoutMs: 1_000 });
    analytics.track({ event: 'Late', userId: 'u' });
    await platform.advance(0);
    await expect(done).resolves.toMatchObject({ timedOut: false, undelivered: 0 });
    expect(drops).toEqual([{ reason: 'closed', count: 1 }]);
  });

  it('flush() with nothing queued resolves at once, and never rejects', async () => {
    const platform = manualPlatform(() => {
      throw new Error('boom');
    });
    const analytics = createAnalytics({ ...platform.options, retry: { attempts: 1 } });
    await analytics.flush();
    analytics.track({ event: 'A', userId: 'u' });
    const flushing = analytics.flush();
    await platform.advance(10);
    await expect(flushing).resolves.toBeUndefined();
    expect(analytics.stats()).toMatchObject({ failed: 1 });
  });

  it('keeps going when onError throws', async () => {
    const platform = manualPlatform(() => new Response('', { status: 400 }));
    const analytics = createAnalytics({
      ...platform.options,
      onError: () => {
        throw new Error('user bug');
      },
    });
    analytics.track({ event: 'A', userId: 'u' });
    const flushing = analytics.flush();
    await platform.advance(0);
    await flushing;
    expect(analytics.stats()).toMatchObject({ failed: 1 });
  });

  it.each([
    [{ flushAt: 0 }, 'flushAt must be an integer from 1 to 2000'],
    [{ flushAt: 2_001 }, 'flushAt must be an integer from 1 to 2000'],
    [{ maxBatchBytes: 600_000 }, 'maxBatchBytes must be an integer from 1024 to 524288'],
    [{ encoding: 'xml' }, "encoding must be one of 'msgpack', 'json'"],
    [{ endpoint: 'localhost' }, 'is not a URL'],
    [{ writeKey: '' }, 'writeKey must be a non-empty string'],
  ])('rejects bad options %j with a message that says what to do', (bad, message) => {
    const platform = manualPlatform();
    const make = () => createAnalytics({ ...platform.options, ...(bad as object) });
    expect(make).toThrow(SluiceSdkError);
    expect(make).toThrow(message);
  });
});
