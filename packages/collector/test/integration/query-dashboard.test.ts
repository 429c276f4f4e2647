import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/dashboard/index';
import type { Ev } from './query-fixtures';
import { DAY, HOUR, insert, openMigrated } from './query-fixtures';

const CHROMIUM = '/usr/bin/chromium';
const READ_KEY = 'read-key-for-tests';
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;
const MIN = 60_000;

/** Demo-like traffic with answers known in advance. */
function demoEvents(): Ev[] {
  const events: Ev[] = [];
  for (let i = 0; i < 10; i++) {
    const user = `s${i}`;
    events.push({ id: `${user}-signup`, event: 'Signup Completed', user, t: TODAY - 5 * DAY + 10 * HOUR + i * MIN, utm: 'google' });
    if (i < 6) events.push({ id: `${user}-act`, event: 'Activated', user, t: TODAY - 5 * DAY + 12 * HOUR + i * MIN });
    if (i < 3) events.push({ id: `${user}-order`, event: 'Order Placed', user, t: TODAY - 4 * DAY + 10 * HOUR, props: { total: 42 } });
    if (i < 4) events.push({ id: `${user}-open1`, event: 'App Opened', user, t: TODAY - 4 * DAY + 11 * HOUR });
    if (i < 2) events.push({ id: `${user}-open2`, event: 'App Opened', user, t: TODAY - 3 * DAY + 11 * HOUR });
  }
  // Live traffic: 12 page views over the last 12 minutes.
  for (let k = 1; k <= 12; k++) {
    events.push({ id: `live-${k}`, event: 'Page Viewed', type: 'page', user: `v${k % 5}`, t: NOW - k * MIN + 5_000, path: '/' });
  }
  return events;
}

let db: Awaited<ReturnType<typeof openMigrated>>;
let server: Server;
let base = '';

beforeAll(async () => {
  db = await openMigrated('query-dashboard');
  const events = demoEvents();
  await insert(db.client, events, 'sluice', 'dashboard-batch-1');
  // Retries: the whole batch re-sent with its token (a lost response), which neither events nor the
  // rollups take again, and two events re-sent by a client in another batch, which the collector's
  // messageId window drops before they reach storage (so they are not inserted here; an escaped one
  // is covered by query-trends.test.ts).
  await insert(db.client, events, 'sluice', 'dashboard-batch-1');
  const handler = createDashboard({
    client: db.client,
    project: 'web',
    readKey: READ_KEY,
    writeKeys: ['write-key-1'],
    steps: ['Signup Completed', 'Activated', 'Order Placed'],
    retention: { start: 'Signup Completed', returning: 'App Opened', period: 'day', periods: 3 },
    livePollMs: 400,
  });
  server = createServer((req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    handler(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers }))
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  await db?.close();
});

describe('dashboard over HTTP', () => {
  it('answers 401 with what to do, without a key or with a write key', async () => {
    for (const url of [`${base}/dashboard`, `${base}/dashboard/api/live`, `${base}/dashboard?key=write-key-1`]) {
      const res = await fetch(url);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { success: boolean; code: string; message: string };
      expect(body).toMatchObject({ success: false, code: 'unauthorized' });
      expect(body.message).toContain('?key=');
    }
  });

  it('serves the JSON the page polls, with a Bearer key', async () => {
    const get = async (name: string) => {
      const res = await fetch(`${base}/dashboard/api/${name}`, { headers: { authorization: `Bearer ${READ_KEY}` } });
      expect(res.status).toBe(200);
      return res.json() as Promise<Record<string, unknown>>;
    };
    const live = (await get('live')) as { minutes: Array<{ count: number }> };
    expect(live.minutes).toHaveLength(60);
    expect(live.minutes.reduce((sum, m) => sum + m.count, 0)).toBe(12);
    expect(((await get('funnel')) as { steps: Array<{ users: number }> }).steps.map((s) => s.users)).toEqual([10, 6, 3]);
    const top = (await get('top')) as { events: Array<{ event: string; count: number }> };
    expect(top.events.map((e) => [e.event, e.count])).toEqual([
      ['Page Viewed', 12],
      ['Signup Completed', 10],
      ['Activated', 6],
      ['App Opened', 6],
      ['Order Placed', 3],
    ]);
    const missing = await fetch(`${base}/dashboard/api/nope?key=${READ_KEY}`);
    expect(missing.status).toBe(404);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('dashboard in Chromium', () => {
  let context: BrowserContext;
  let profile = '';

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'sluice-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 1000 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('renders the SVG charts with the right numbers, redraws live data, and saves a screenshot', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const response = await page.goto(`${base}/dashboard?key=${READ_KEY}`);
    expect(response?.status()).toBe(200);

    await expect.poll(() => page.locator('svg[data-chart="live"]').getAttribute('data-total')).toBe('12');
    const liveCounts = await page.locator('svg[data-chart="live"] rect.bar').evaluateAll((bars) =>
      bars.map((bar) => Number(bar.getAttribute('data-count'))),
    );
    expect(liveCounts).toHaveLength(60);
    expect(liveCounts.reduce((a, b) => a + b, 0)).toBe(12);

    const steps = await page.locator('svg[data-chart="funnel"] g.step').evaluateAll((gs) =>
      gs.map((g) => [g.getAttribute('data-step'), g.getAttribute('data-users'), g.querySelector('text.value')?.textContent]),
    );
    expect(steps).toEqual([
      ['Signup Completed', '10', '10'],
      ['Activated', '6', '6'],
      ['Order Placed', '3', '3'],
    ]);

    const legend = await page.locator('svg[data-chart="trends"] g.legend').evaluateAll((gs) =>
      Object.fromEntries(gs.map((g) => [g.getAttribute('data-event'), Number(g.getAttribute('data-total'))])),
    );
    expect(legend).toEqual({ 'Page Viewed': 12, 'Signup Completed': 10, Activated: 6, 'App Opened': 6, 'Order Placed': 3 });
    expect(await page.locator('svg[data-chart="trends"] polyline').count()).toBe(5);

    const cohort = page.locator(`svg[data-chart="retention"] g.cohort[data-cohort="${new Date(TODAY - 5 * DAY).toISOString().slice(0, 10)}"]`);
    expect(await cohort.getAttribute('data-size')).toBe('10');
    expect(await cohort.locator('text[data-k]').allTextContents()).toEqual(['0.0%', '40.0%', '20.0%', '0.0%']);

    expect(await page.locator('#top tr[data-event="Order Placed"] td').allTextContents()).toEqual(['Order Placed', '3', '3']);

    // New traffic arrives; the page's own script fetches /api/live and redraws with the same renderer.
    await insert(db.client, [
      { id: 'live-new-1', event: 'Page Viewed', type: 'page', user: 'v9', t: Date.now() - 1_000 },
      { id: 'live-new-2', event: 'Page Viewed', type: 'page', user: 'v9', t: Date.now() - 1_000 },
    ]);
    await expect.poll(() => page.locator('svg[data-chart="live"]').getAttribute('data-total'), { timeout: 10_000 }).toBe('14');

    mkdirSync(resolve('test-results'), { recursive: true });
    await page.screenshot({ path: resolve('test-results', 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
