import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueries } from '../../src/query/index';
import type { IdEvent } from './identity-fixtures';
import { insertIds } from './identity-fixtures';
import { createIdentityModel, modelFunnel, modelRetention } from './identity-model';
import { at, HOUR, openMigrated } from './query-fixtures';

/**
 * Random event streams against the plain-JS model of docs/identity.md: late identification,
 * aliases (chains and loops included), shared devices (an anonymous id identified as several
 * users), many anonymous ids per user, out-of-order arrival in several batches, and events a client
 * sends again (the person-level tables keep such repeats until a merge, or for good). ClickHouse's
 * funnel and retention must equal the model's. Each run writes to its own project of one chdb.
 */
const STEPS = ['Page Viewed', 'Signup Completed', 'Order Placed'];
const RETURNING = 'App Opened';
const USERS = ['u0', 'u1', 'u2', 'u3'];
const ANONS = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];

const ids = (pool: string[]) => fc.constantFrom(...pool);
const draft = fc.oneof(
  // A step or a return, from an anonymous visitor, a signed-in user, or both ids at once.
  fc.record({
    kind: fc.constant('track' as const),
    event: fc.constantFrom(...STEPS, RETURNING),
    who: fc.oneof(
      fc.record({ anonymousId: ids(ANONS) }),
      fc.record({ userId: ids(USERS) }),
      fc.record({ userId: ids(USERS), anonymousId: ids(ANONS) }),
    ),
  }),
  fc.record({ kind: fc.constant('identify' as const), who: fc.record({ userId: ids(USERS), anonymousId: ids(ANONS) }) }),
  fc.record({
    kind: fc.constant('alias' as const),
    who: fc.record({ userId: ids(USERS), previousId: ids([...USERS, ...ANONS]) }),
  }),
);
/** Event time in whole minutes over six days; the index keeps every time distinct. */
const stream = fc
  .array(fc.record({ minute: fc.integer({ min: 0, max: 6 * 24 * 60 }), draft }), { minLength: 1, maxLength: 40 })
  .chain((drafts) =>
    fc.record({
      drafts: fc.constant(drafts),
      // Arrival order and batch boundaries, independent of event time.
      order: fc.shuffledSubarray(
        drafts.map((_, i) => i),
        { minLength: drafts.length, maxLength: drafts.length },
      ),
      cuts: fc.array(fc.integer({ min: 1, max: Math.max(1, drafts.length - 1) }), { maxLength: 3 }),
      // Events a client sends again in a later batch (same messageId), as after a lost response.
      resent: fc.subarray(drafts.map((_, i) => i), { maxLength: Math.min(5, drafts.length) }),
      windowHours: fc.constantFrom(1, 24, 72, 24 * 7),
    }),
  );

type Draft = typeof draft extends fc.Arbitrary<infer D> ? D : never;

function toEvents(drafts: ReadonlyArray<{ minute: number; draft: Draft }>): IdEvent[] {
  return drafts.map(({ minute, draft: d }, i): IdEvent => {
    const base = { id: `m${i}`, t: at(0) + minute * 60_000 + i, ...d.who };
    return d.kind === 'track' ? { ...base, type: 'track', event: d.event } : { ...base, type: d.kind };
  });
}

let db: Awaited<ReturnType<typeof openMigrated>>;
let run = 0;

beforeAll(async () => {
  db = await openMigrated('identity-property');
});

afterAll(async () => {
  await db?.close();
});

describe('person-level funnel and retention against a reference model', () => {
  it('equal the model on random streams with late identification, aliases, shared devices, out-of-order arrival and resends', async () => {
    await fc.assert(
      fc.asyncProperty(stream, async ({ drafts, order, cuts, resent, windowHours }) => {
        const project = `prop-${run++}`;
        const events = toEvents(drafts);
        const arrival = order.map((i) => events[i] as IdEvent);
        let last = 0;
        for (const cut of [...new Set(cuts)].sort((a, b) => a - b).concat(arrival.length)) {
          await insertIds(db.client, project, arrival.slice(last, cut));
          last = cut;
        }
        await insertIds(db.client, project, resent.map((i) => events[i] as IdEvent));
        const queries = createQueries({ client: db.client, project, now: () => at(30) });
        const from = at(0);
        const to = at(7);
        const windowMs = windowHours * HOUR;

        const funnel = await queries.funnel({ steps: STEPS, window: windowMs, from, to });
        expect(funnel.map(({ step, users }) => ({ step, users }))).toEqual(modelFunnel(events, STEPS, windowMs, from, to));

        const retention = await queries.retention({ start: STEPS[0] as string, returning: RETURNING, period: 'day', periods: 3, from, to });
        const model = modelRetention(events, STEPS[0] as string, RETURNING, 3, from, to);
        expect(Object.fromEntries(retention.cohorts.map((c) => [c.cohort, { size: c.size, retained: c.retained }]))).toEqual(
          Object.fromEntries(model),
        );

        const { personOf } = createIdentityModel(events);
        const people = new Set(events.filter((e) => e.type === 'track').map(personOf));
        expect((await queries.uniqueUsers({ from, to })).users).toBe(people.size);
      }),
      { numRuns: Number(process.env.SLUICE_PROPERTY_RUNS ?? 30), endOnFailure: true },
    );
    // Each run is a few queries on chdb: a loaded 2-core machine needs more than the default minute.
  }, 300_000);

  it('sees the model agree with a hand-checked stream', () => {
    const { personOf } = createIdentityModel([
      { id: '1', t: 1, type: 'identify', userId: 'u1', anonymousId: 'a1' },
      { id: '2', t: 2, type: 'identify', userId: 'u2', anonymousId: 'a1' },
      { id: '3', t: 3, type: 'alias', previousId: 'u1', userId: 'u3' },
      { id: '4', t: 4, type: 'alias', previousId: 'u3', userId: 'u1' },
    ]);
    expect(personOf({ id: 'x', t: 5, anonymousId: 'a1' })).toBe('u3');
    expect(personOf({ id: 'y', t: 5, userId: 'u2', anonymousId: 'a1' })).toBe('u2');
    expect(personOf({ id: 'z', t: 5, userId: 'u1' })).toBe('u3');
  });
});
