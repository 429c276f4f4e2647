/**
 * The server-side clients teams already ship, installed from npm and unmodified, pointed at a real
 * collector with the one setting docs/migrating.md gives for each, then asserted on the rows in
 * ClickHouse (chDB): every event lands, the counts per type are exact, no message_id twice,
 * properties intact, anonymous events keep anonymous_id with an empty user_id, and
 * library_name/library_version come from the client's own context.
 */
import { createRequire } from 'node:module';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import LegacyAnalytics from 'analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countByType, eventually, landed, metric, quarantined, startCompatCollector, type CompatCollector } from './compat-support';

const require = createRequire(import.meta.url);
const versionOf = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;

/** What every client sends: anonymous page views and tracks, then identify, track, group, screen and alias. */
interface SpecCalls {
  page(message: { anonymousId: string; name: string; properties: Record<string, unknown> }): void;
  track(message: { anonymousId?: string; userId?: string; event: string; properties: Record<string, unknown> }): void;
  identify(message: { anonymousId: string; userId: string; traits: Record<string, unknown> }): void;
  group(message: { userId: string; groupId: string; traits: Record<string, unknown> }): void;
  screen(message: { userId: string; name: string; properties: Record<string, unknown> }): void;
  alias(message: { userId: string; previousId: string }): void;
}

const PROPS = { plan: 'pro', price: 12.5, qty: 3, ok: true, tags: ['a', 'b'], nested: { city: 'Zürich', emoji: '🚀' }, note: 'naïve café' };
/** Enough tracks to need many batches at each client's default batch size (15 to 20 events). */
const BULK = 300;
const EXPECTED = { page: 2, track: 4 + BULK, identify: 1, group: 1, screen: 1, alias: 1 };

function drive(client: SpecCalls, tag: string): void {
  const anon = `anon-${tag}`;
  const user = `user-${tag}`;
  client.page({ anonymousId: anon, name: 'Home', properties: { path: '/', ...PROPS } });
  client.page({ anonymousId: anon, name: 'Pricing', properties: { path: '/pricing' } });
  client.track({ anonymousId: anon, event: 'Viewed Plan', properties: PROPS });
  client.track({ anonymousId: anon, event: 'Viewed Plan', properties: { plan: 'team' } });
  client.identify({ anonymousId: anon, userId: user, traits: { email: `${tag}@example.com`, name: 'Zoë' } });
  client.track({ userId: user, event: 'Signed Up', properties: { source: 'pricing' } });
  client.track({ userId: user, event: 'Order Completed', properties: { total: 99.99, items: [{ sku: 'a-1', n: 2 }] } });
  client.group({ userId: user, groupId: `org-${tag}`, traits: { name: 'Acme', employees: 42 } });
  client.screen({ userId: user, name: 'Settings', properties: { tab: 'billing' } });
  client.alias({ userId: user, previousId: anon });
  for (let i = 0; i < BULK; i++) client.track({ userId: user, event: 'Bulk Item', properties: { i, label: `item ${i} ✓` } });
}

const CLIENTS = [
  {
    name: '@segment/analytics-node',
    key: 'wk_segment_node',
    project: 'segment-node',
    library: { name: '@segment/analytics-node', version: versionOf('@segment/analytics-node') },
    async run(origin: string, key: string, tag: string) {
      // docs/migrating.md: `host`.
      const analytics = new SegmentAnalytics({ writeKey: key, host: origin });
      drive(analytics as unknown as SpecCalls, tag);
      await analytics.closeAndFlush({ timeout: 20_000 });
    },
  },
  {
    name: 'analytics-node (legacy)',
    key: 'wk_legacy_node',
    project: 'legacy-node',
    library: { name: 'analytics-node', version: versionOf('analytics-node') },
    async run(origin: string, key: string, tag: string) {
      // docs/migrating.md: `host`.
      const analytics = new LegacyAnalytics(key, { host: origin });
      drive(analytics as unknown as SpecCalls, tag);
      await analytics.flush();
    },
  },
  {
    name: '@rudderstack/rudder-sdk-node',
    key: 'wk_rudder_node',
    project: 'rudder-node',
    // RudderStack's Node SDK names itself "analytics-node", with its own version.
    library: { name: 'analytics-node', version: versionOf('@rudderstack/rudder-sdk-node') },
    async run(origin: string, key: string, tag: string) {
      // docs/migrating.md: `dataPlaneUrl`. It gzips JSON and labels it application/x-www-form-urlencoded.
      const errors: unknown[] = [];
      const analytics = new RudderAnalytics(key, { dataPlaneUrl: origin, logLevel: 'error', errorHandler: (error: unknown) => errors.push(error) });
      drive(analytics as unknown as SpecCalls, tag);
      await eventually(async () => {
        await analytics.flush();
        expect((analytics as unknown as { queue: unknown[] }).queue).toHaveLength(0);
      });
      expect(errors).toEqual([]);
    },
  },
] as const;

let sluice: CompatCollector;

beforeAll(async () => {
  sluice = await startCompatCollector('compat-node', { writeKeys: Object.fromEntries(CLIENTS.map((c) => [c.key, c.project])) });
});

afterAll(async () => {
  await sluice?.close();
});

describe.each(CLIENTS)('$name, unmodified, against the collector', (client) => {
  const total = Object.values(EXPECTED).reduce((a, b) => a + b, 0);

  it('lands every event once, with exact counts per type', async () => {
    await client.run(sluice.origin, client.key, client.project);
    const rows = await eventually(async () => {
      const rows = await landed(sluice.client, client.project);
      expect(rows).toHaveLength(total);
      return rows;
    });
    expect(countByType(rows)).toEqual(EXPECTED);
    expect(new Set(rows.map((row) => row.message_id)).size).toBe(total);
    expect(await quarantined(sluice.client, client.project)).toEqual([]);
  });

  it('keeps properties, traits and ids as sent', async () => {
    const rows = await landed(sluice.client, client.project);
    const anon = `anon-${client.project}`;
    const user = `user-${client.project}`;
    const home = rows.find((row) => row.type === 'page' && row.event === 'Home')!;
    expect(JSON.parse(home.properties)).toMatchObject({ path: '/', ...PROPS });
    const viewed = rows.filter((row) => row.event === 'Viewed Plan');
    expect(viewed.map((row) => JSON.parse(row.properties))).toEqual(expect.arrayContaining([PROPS, { plan: 'team' }]));
    for (const row of [...viewed, home]) expect(row).toMatchObject({ anonymous_id: anon, user_id: '' });
    const order = rows.find((row) => row.event === 'Order Completed')!;
    expect(JSON.parse(order.properties)).toEqual({ total: 99.99, items: [{ sku: 'a-1', n: 2 }] });
    expect(order.user_id).toBe(user);
    const identify = rows.find((row) => row.type === 'identify')!;
    expect(identify).toMatchObject({ user_id: user, anonymous_id: anon });
    expect(JSON.parse(identify.traits)).toEqual({ email: `${client.project}@example.com`, name: 'Zoë' });
    const bulk = rows.filter((row) => row.event === 'Bulk Item').map((row) => JSON.parse(row.properties) as { i: number; label: string });
    expect(bulk.map((p) => p.i).sort((a, b) => a - b)).toEqual(Array.from({ length: BULK }, (_, i) => i));
    for (const p of bulk) expect(p.label).toBe(`item ${p.i} ✓`);
    const group = rows.find((row) => row.type === 'group')!;
    expect(group.group_id).toBe(`org-${client.project}`);
    expect(JSON.parse(group.traits)).toEqual({ name: 'Acme', employees: 42 });
    expect(rows.find((row) => row.type === 'screen')).toMatchObject({ event: 'Settings', user_id: user });
    expect(rows.find((row) => row.type === 'alias')).toMatchObject({ user_id: user, previous_id: anon });
  });

  it("takes library_name and library_version from the client's context", async () => {
    const rows = await landed(sluice.client, client.project);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect({ name: row.library_name, version: row.library_version }).toEqual(client.library);
  });
});

describe('the whole run', () => {
  it('accepted exactly what the clients sent and rejected nothing', async () => {
    const total = Object.values(EXPECTED).reduce((a, b) => a + b, 0);
    expect(await metric(sluice.collector, 'sluice_events_total{outcome="accepted"}')).toBe(total * CLIENTS.length);
    expect(await metric(sluice.collector, 'sluice_events_total{outcome="rejected"}')).toBe(0);
  });
});
