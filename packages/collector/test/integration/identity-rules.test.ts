import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/clickhouse/index';
import { createQueries } from '../../src/query/index';
import type { IdEvent } from './identity-fixtures';
import { insertIds, personsOf } from './identity-fixtures';
import { at, DAY, openMigrated } from './query-fixtures';

// One rule of docs/identity.md per test, each in its own project of one chdb.
const PV = 'Page Viewed';
const SU = 'Signup Completed';
const OP = 'Order Placed';

let db: Awaited<ReturnType<typeof openMigrated>>;
const range = { from: at(-1), to: at(12) };
const queries = (project: string) => createQueries({ client: db.client, project, now: () => at(12) });

beforeAll(async () => {
  db = await openMigrated('identity-rules');
});

afterAll(async () => {
  await db?.close();
});

describe('identity rules on chdb (docs/identity.md)', () => {
  it('shared device: an anonymous id identified as two users stays with the first; the users never merge', async () => {
    const events: IdEvent[] = [
      { id: 'pv1', t: at(0, 9), type: 'page', event: PV, anonymousId: 'device' },
      { id: 'id1', t: at(0, 10), type: 'identify', userId: 'alice', anonymousId: 'device' },
      { id: 'su1', t: at(0, 11), event: SU, userId: 'alice', anonymousId: 'device' },
      { id: 'id2', t: at(1, 10), type: 'identify', userId: 'bob', anonymousId: 'device' },
      { id: 'su2', t: at(1, 11), event: SU, userId: 'bob', anonymousId: 'device' },
      { id: 'pv2', t: at(1, 12), type: 'page', event: PV, anonymousId: 'device' },
    ];
    await insertIds(db.client, 'shared', events);
    expect(await personsOf(db.client, 'shared')).toEqual({
      pv1: 'alice', id1: 'alice', su1: 'alice', id2: 'bob', su2: 'bob', pv2: 'alice',
    });
    const q = queries('shared');
    expect(await q.uniqueUsers(range)).toEqual({ users: 2, source: 'events_by_id' });
    // Bob's signup is his; the device's anonymous page views are Alice's.
    expect((await q.funnel({ steps: [PV, SU], ...range })).map((s) => s.users)).toEqual([1, 1]);
    expect((await q.funnel({ steps: [PV, SU], by: 'distinct_id', ...range })).map((s) => s.users)).toEqual([1, 0]);
  });

  it('shared device, identified as two users in the same millisecond: the same user whatever the arrival order', async () => {
    const pv: IdEvent = { id: 'pv', t: at(0, 9), type: 'page', event: PV, anonymousId: 'kiosk' };
    const asCarol: IdEvent = { id: 'c', t: at(0, 10), type: 'identify', userId: 'carol', anonymousId: 'kiosk' };
    const asDan: IdEvent = { id: 'd', t: at(0, 10), type: 'identify', userId: 'dan', anonymousId: 'kiosk' };
    await insertIds(db.client, 'tie-a', [pv, asCarol, asDan]);
    await insertIds(db.client, 'tie-b', [asDan]);
    await insertIds(db.client, 'tie-b', [pv, asCarol]);
    // On a tie the user with the smaller id key (cityHash64) wins (docs/identity.md).
    const keys = await db.client
      .query({ query: "SELECT toString(cityHash64('carol') < cityHash64('dan')) AS carolFirst", format: 'JSONEachRow' })
      .then((r) => r.json<{ carolFirst: string }>());
    const first = keys[0]?.carolFirst === 'true' ? 'carol' : 'dan';
    expect((await personsOf(db.client, 'tie-a')).pv).toBe(first);
    expect((await personsOf(db.client, 'tie-b')).pv).toBe(first);
  });

  it('alias chains: every previousId follows the chain to its end; a loop ends at its latest alias', async () => {
    const events: IdEvent[] = [
      { id: 'pv', t: at(0, 9), type: 'page', event: PV, anonymousId: 'anon-9' },
      { id: 'idf', t: at(0, 10), type: 'identify', userId: 'old-id', anonymousId: 'anon-9' },
      { id: 'su', t: at(0, 11), event: SU, userId: 'old-id' },
      { id: 'al1', t: at(1, 9), type: 'alias', previousId: 'old-id', userId: 'new-id' },
      { id: 'al2', t: at(2, 9), type: 'alias', previousId: 'new-id', userId: 'newest' },
      { id: 'op', t: at(2, 10), event: OP, userId: 'newest' },
    ];
    await insertIds(db.client, 'chain', events);
    const persons = await personsOf(db.client, 'chain');
    expect(new Set(Object.values(persons))).toEqual(new Set(['newest']));
    const q = queries('chain');
    expect((await q.funnel({ steps: [PV, SU, OP], ...range })).map((s) => s.users)).toEqual([1, 1, 1]);
    expect((await q.funnel({ steps: [PV, SU, OP], by: 'distinct_id', ...range })).map((s) => s.users)).toEqual([1, 0, 0]);

    // A later alias back to the start closes a loop: it is the loop's latest alias, so its
    // previousId (newest) ends the chain and nothing moves.
    await insertIds(db.client, 'chain', [{ id: 'al3', t: at(3, 9), type: 'alias', previousId: 'newest', userId: 'old-id' }]);
    expect(new Set(Object.values(await personsOf(db.client, 'chain')))).toEqual(new Set(['newest']));
    expect((await q.funnel({ steps: [PV, SU, OP], ...range })).map((s) => s.users)).toEqual([1, 1, 1]);
  });

  it('identification days later: anonymous history joins the person when the identify lands', async () => {
    const anonymous: IdEvent[] = [
      { id: 'pv1', t: at(0, 9), type: 'page', event: PV, anonymousId: 'visitor' },
      { id: 'pv2', t: at(1, 9), type: 'page', event: PV, anonymousId: 'visitor' },
    ];
    await insertIds(db.client, 'later', anonymous);
    await insertIds(db.client, 'later', [{ id: 'op', t: at(5, 10), event: OP, userId: 'carol' }]);
    const q = queries('later');
    expect((await q.funnel({ steps: [PV, OP], ...range })).map((s) => s.users)).toEqual([1, 0]);
    expect(await q.uniqueUsers(range)).toEqual({ users: 2, source: 'events_by_id' });

    await insertIds(db.client, 'later', [{ id: 'idf', t: at(5, 9), type: 'identify', userId: 'carol', anonymousId: 'visitor' }]);
    expect((await q.funnel({ steps: [PV, OP], ...range })).map((s) => s.users)).toEqual([1, 1]);
    expect(await q.uniqueUsers(range)).toEqual({ users: 1, source: 'events_by_id' });
    // The window still applies: five days from the first page view to the order.
    expect((await q.funnel({ steps: [PV, OP], window: '1d', ...range })).map((s) => s.users)).toEqual([1, 0]);
    expect((await q.funnel({ steps: [PV, OP], window: 5 * DAY, ...range })).map((s) => s.users)).toEqual([1, 1]);
  });

  it('many anonymous ids per user: every device of the user is one person', async () => {
    const events: IdEvent[] = [
      { id: 'pv-phone', t: at(0, 9), type: 'page', event: PV, anonymousId: 'phone' },
      { id: 'pv-laptop', t: at(0, 12), type: 'page', event: PV, anonymousId: 'laptop' },
      { id: 'pv-tablet', t: at(1, 8), type: 'page', event: PV, anonymousId: 'tablet' },
      { id: 'id-phone', t: at(0, 10), type: 'identify', userId: 'dave', anonymousId: 'phone' },
      { id: 'id-laptop', t: at(0, 13), type: 'identify', userId: 'dave', anonymousId: 'laptop' },
      // Any event carrying both ids links them, not only identify.
      { id: 'op', t: at(1, 9), event: OP, userId: 'dave', anonymousId: 'tablet' },
    ];
    await insertIds(db.client, 'devices', events);
    expect(new Set(Object.values(await personsOf(db.client, 'devices')))).toEqual(new Set(['dave']));
    const q = queries('devices');
    expect(await q.uniqueUsers(range)).toEqual({ users: 1, source: 'events_by_id' });
    expect(await q.topEvents(range)).toEqual([
      { event: PV, count: 3, users: 1 },
      { event: OP, count: 1, users: 1 },
    ]);
    expect(await q.topEvents({ ...range, by: 'distinct_id' })).toEqual([
      { event: PV, count: 3, users: 3 },
      { event: OP, count: 1, users: 1 },
    ]);
  });

  it('an identify that arrives before the events it covers links them as they land', async () => {
    await insertIds(db.client, 'early', [{ id: 'idf', t: at(0, 8), type: 'identify', userId: 'erin', anonymousId: 'tab' }]);
    await insertIds(db.client, 'early', [
      { id: 'pv', t: at(0, 9), type: 'page', event: PV, anonymousId: 'tab' },
      { id: 'su', t: at(0, 10), event: SU, anonymousId: 'tab' },
    ]);
    expect(await personsOf(db.client, 'early')).toEqual({ idf: 'erin', pv: 'erin', su: 'erin' });
    const q = queries('early');
    expect((await q.funnel({ steps: [PV, SU], ...range })).map((s) => s.users)).toEqual([1, 1]);
    expect(await q.uniqueUsers(range)).toEqual({ users: 1, source: 'events_by_id' });
  });

  it('links events stored before the identity migrations, when they run', async () => {
    await insertIds(db.client, 'backfill', [
      { id: 'pv', t: at(0, 9), type: 'page', event: PV, anonymousId: 'old-visitor' },
      { id: 'idf', t: at(0, 10), type: 'identify', userId: 'frank', anonymousId: 'old-visitor' },
      { id: 'al', t: at(0, 11), type: 'alias', previousId: 'frank', userId: 'franklin' },
    ]);
    // As if this database predated them: no identity rows, no record of the migrations.
    for (const table of ['identity_links', 'identity_aliases', 'identity_link_keys']) await db.client.command({ query: `TRUNCATE TABLE sluice.${table}` });
    await db.client.command({ query: 'ALTER TABLE sluice.schema_migrations DELETE WHERE version IN (5, 6, 8) SETTINGS mutations_sync = 2' });
    expect(await personsOf(db.client, 'backfill')).toEqual({ pv: 'old-visitor', idf: 'frank', al: 'franklin' });

    const result = await migrate(db.client);
    expect(result.applied).toEqual(['0005_identity_links', '0006_identity_aliases', '0008_identity_link_keys']);
    expect(new Set(Object.values(await personsOf(db.client, 'backfill')))).toEqual(new Set(['franklin']));
    // The other projects' links were backfilled too, and only once in effect.
    expect(new Set(Object.values(await personsOf(db.client, 'devices')))).toEqual(new Set(['dave']));
  });

  /** Migrates a database made as if it predated migration `version`, which creates `table` and its view. */
  async function migrateAsIfBefore(version: number, table: string): Promise<string[]> {
    await db.client.command({ query: `DROP TABLE sluice.${table}_mv` });
    await db.client.command({ query: `DROP TABLE sluice.${table}` });
    await db.client.command({ query: `ALTER TABLE sluice.schema_migrations DELETE WHERE version = ${version} SETTINGS mutations_sync = 2` });
    return (await migrate(db.client)).applied;
  }

  it('links anonymous ids linked before identity_link_keys existed, once its migration runs', async () => {
    await insertIds(db.client, 'link-keys', [
      { id: 'pv', t: at(0, 9), type: 'page', event: PV, anonymousId: 'laptop' },
      { id: 'idf', t: at(0, 10), type: 'identify', userId: 'hana', anonymousId: 'laptop' },
      { id: 'su', t: at(0, 11), event: SU, userId: 'hana' },
    ]);
    expect(await migrateAsIfBefore(8, 'identity_link_keys')).toEqual(['0008_identity_link_keys']);
    const q = queries('link-keys');
    expect((await q.funnel({ steps: [PV, SU], ...range })).map((s) => s.users)).toEqual([1, 1]);
    // And the view is back: a second device linked later joins the same person.
    await insertIds(db.client, 'link-keys', [
      { id: 'pv2', t: at(1, 9), type: 'page', event: PV, anonymousId: 'phone' },
      { id: 'idf2', t: at(1, 10), type: 'identify', userId: 'hana', anonymousId: 'phone' },
    ]);
    expect(await q.uniqueUsers(range)).toEqual({ users: 1, source: 'events_by_id' });
  });

  it('counts events stored before events_by_id existed, once its migration runs', async () => {
    await insertIds(db.client, 'by-id', [
      { id: 'pv', t: at(0, 9), type: 'page', event: PV, anonymousId: 'visitor' },
      { id: 'idf', t: at(0, 10), type: 'identify', userId: 'gina', anonymousId: 'visitor' },
      { id: 'op', t: at(1, 10), event: OP, userId: 'gina' },
    ]);
    expect(await migrateAsIfBefore(7, 'events_by_id')).toEqual(['0007_events_by_id']);
    const rows = await db.client
      .query({ query: "SELECT event, identified FROM sluice.events_by_id WHERE project = 'by-id' ORDER BY timestamp", format: 'JSONEachRow' })
      .then((r) => r.json<{ event: string; identified: boolean }>());
    expect(rows).toEqual([
      { event: PV, identified: false },
      { event: '', identified: true },
      { event: OP, identified: true },
    ]);
    const q = queries('by-id');
    expect((await q.funnel({ steps: [PV, OP], ...range })).map((s) => s.users)).toEqual([1, 1]);
    // And the view is back: a later event lands in both tables.
    await insertIds(db.client, 'by-id', [{ id: 'su', t: at(0, 11), event: SU, userId: 'gina' }]);
    expect((await q.funnel({ steps: [PV, SU, OP], ...range })).map((s) => s.users)).toEqual([1, 1, 1]);
  });
});
