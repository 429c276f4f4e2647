import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard } from '../../src/dashboard/index';
import type { Ev } from './query-fixtures';
import { DAY, HOUR, insert, openMigrated } from './query-fixtures';
import { CHROMIUM, hasChromium } from '../../../../test/support/requirements';

const READ_KEY = 'read-key-for-tests';
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;
const MIN = 60_000;

/** Demo-like traffic with answers known in advance. */
function demoEvents(): Ev[] {
  const events: Ev[] = [];
  for (let i = 0; i < 10; i++) {
    const user = `s${i}`;
    events.push({ id: `${user}-signup`, event: 'Signup Completed', user, t: TODAY - 5 * DAY + 10 * HOUR + i * MIN, utm: i < 4 ? 'google' : '' });
    if (i < 6) events.push({ id: `${user}-act`, event: 'Activated', user, t: TODAY - 5 * DAY + 12 * HOUR + i * MIN });
    if (i < 3) events.push({ id: `${user}-order`, event: 'Order Placed', user, t: TODAY - 4 * DAY + 10 * HOUR, props: { total: 42 } });
    if (i < 4) events.push({ id: `${user}-open1`, event: 'App Opened', user, t: TODAY - 4 * DAY + 11 * HOUR });
    if (i < 2) events.push({ id: `${user}-open2`, event: 'App Opened', user, t: TODAY - 3 * DAY + 11 * HOUR });
  }
  // An old signup: outside a 7-day view, inside the default 14 days.
  events.push({ id: 'old-signup', event: 'Signup Completed', user: 'old', t: TODAY - 10 * DAY + 10 * HOUR });
  // Live traffic: 12 page views received over the last 12 minutes.
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
  // The whole batch re-sent with its token (a lost response): neither events nor the rollups take it again.
  await insert(db.client, events, 'sluice', 'dashboard-batch-1');
  await db.client.command({
    query: `INSERT INTO sluice.events_quarantine (project, received_at, message_id, reason, path, raw) VALUES
      ('web', now64(3), 'q1', 'properties.total: expected number, received string', 'properties.total', '{}'),
      ('web', now64(3), 'q2', 'properties.total: expected number, received string', 'properties.total', '{}'),
      ('web', now64(3), 'q3', 'unknown event "Sign Up"', 'event', '{}')`,
  });
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
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
      handler(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body }))
        .then(async (response) => {
          const out: Record<string, string | string[]> = Object.fromEntries(response.headers);
          const cookies = response.headers.getSetCookie();
          if (cookies.length > 0) out['set-cookie'] = cookies;
          res.writeHead(response.status, out);
          res.end(Buffer.from(await response.arrayBuffer()));
        })
        .catch((error: unknown) => {
          res.writeHead(500).end(String(error));
        });
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
  it('answers 401 without a key or with a write key, with what to do', async () => {
    for (const url of [`${base}/dashboard/api/live`, `${base}/dashboard/api/funnel?key=${READ_KEY}`]) {
      const res = await fetch(url);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { success: boolean; code: string; message: string };
      expect(body).toMatchObject({ success: false, code: 'unauthorized' });
      expect(body.message).toContain('Authorization: Bearer <read key>');
    }
    const page = await fetch(`${base}/dashboard`, { headers: { authorization: 'Bearer write-key-1' } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('action="/dashboard/login"');
  });

  it('serves the JSON the page polls for the view in the query string, with a Bearer key', async () => {
    const get = async (name: string, query = '') => {
      const res = await fetch(`${base}/dashboard/api/${name}${query}`, { headers: { authorization: `Bearer ${READ_KEY}` } });
      expect(res.status).toBe(200);
      return res.json() as Promise<Record<string, unknown>>;
    };
    const live = (await get('live')) as { minutes: Array<{ count: number }> };
    expect(live.minutes).toHaveLength(60);
    expect(live.minutes.reduce((sum, m) => sum + m.count, 0)).toBe(12);
    expect(((await get('funnel')) as { steps: Array<{ users: number }> }).steps.map((s) => s.users)).toEqual([11, 6, 3]);
    expect(((await get('funnel', '?since=7d&step=Signup+Completed&step=Order+Placed')) as { steps: Array<{ users: number }> }).steps.map((s) => s.users)).toEqual([10, 3]);
    const top = (await get('top')) as { events: Array<{ event: string; count: number }> };
    expect(top.events.map((e) => [e.event, e.count])).toEqual([
      ['Page Viewed', 12],
      ['Signup Completed', 11],
      ['Activated', 6],
      ['App Opened', 6],
      ['Order Placed', 3],
    ]);
    // Trends count the same whole days as top events: the totals agree.
    const trends = (await get('trends')) as { series: Array<{ event: string; total: number }> };
    expect(Object.fromEntries(trends.series.map((s) => [s.event, s.total]))).toEqual(Object.fromEntries(top.events.map((e) => [e.event, e.count])));
    const quarantine = (await get('quarantine')) as { rows: Array<{ reason: string; count: number }> };
    expect(quarantine.rows.map((r) => [r.reason, r.count])).toEqual([
      ['properties.total: expected number, received string', 2],
      ['unknown event "Sign Up"', 1],
    ]);
    expect((await fetch(`${base}/dashboard/api/nope`, { headers: { authorization: `Bearer ${READ_KEY}` } })).status).toBe(404);
  });
});

describe.skipIf(!hasChromium())('dashboard in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  const funnelOf = (page: Page) =>
    page.locator('svg[data-chart="funnel"] g.step').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-step'), Number(g.getAttribute('data-users'))]));

  const logIn = async (page: Page) => {
    await page.fill('input[name="key"]', READ_KEY);
    await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/login')), page.click('button[type="submit"]')]);
  };

  it('logs in through the form into an HttpOnly cookie, draws the charts, and redraws live data', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    const first = await page.goto(`${base}/dashboard`);
    expect(first?.status()).toBe(401);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await logIn(page);
    expect(page.url()).toBe(`${base}/dashboard`);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'sluice_read', httpOnly: true, sameSite: 'Strict', path: '/dashboard' });
    expect(cookie?.value).not.toContain(READ_KEY);

    await expect.poll(() => page.locator('svg[data-chart="live"]').getAttribute('data-total')).toBe('12');
    expect(await funnelOf(page)).toEqual([
      ['Signup Completed', 11],
      ['Activated', 6],
      ['Order Placed', 3],
    ]);
    const legend = await page.locator('svg[data-chart="trends"] g.legend').evaluateAll((gs) =>
      Object.fromEntries(gs.map((g) => [g.getAttribute('data-event'), Number(g.getAttribute('data-total'))])),
    );
    expect(legend).toEqual({ 'Page Viewed': 12, 'Signup Completed': 11, Activated: 6, 'App Opened': 6, 'Order Placed': 3 });
    const cohort = page.locator(`svg[data-chart="retention"] g.cohort[data-cohort="${new Date(TODAY - 5 * DAY).toISOString().slice(0, 10)}"]`);
    expect(await cohort.getAttribute('data-size')).toBe('10');
    expect(await cohort.locator('text[data-k]').allTextContents()).toEqual(['0.0%', '40.0%', '20.0%', '0.0%']);
    expect(await page.locator('#top tr[data-event="Order Placed"] td').allTextContents()).toEqual(['Order Placed', '3', '3']);
    expect(await page.locator('#quarantine tr[data-reason]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-count'))))).toEqual([2, 1]);

    // New traffic arrives; the page's script fetches /api/live (with its cookie) and redraws.
    await insert(db.client, [
      { id: 'live-new-1', event: 'Page Viewed', type: 'page', user: 'v9', t: Date.now() - 1_000 },
      { id: 'live-new-2', event: 'Page Viewed', type: 'page', user: 'v9', t: Date.now() - 1_000 },
    ]);
    await expect.poll(() => page.locator('svg[data-chart="live"]').getAttribute('data-total'), { timeout: 10_000 }).toBe('14');
    mkdirSync(resolve('test-results'), { recursive: true });
    await page.screenshot({ path: resolve('test-results', 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('chooses a funnel in the form, and a colleague opening the shared URL sees the same answer', async () => {
    const mine = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await mine.newPage();
    await page.goto(`${base}/dashboard`);
    await logIn(page);
    await page.selectOption('select[name="since"]', '7d');
    await page.selectOption('select[data-step-index="0"]', 'Signup Completed');
    await page.selectOption('select[data-step-index="1"]', 'Order Placed');
    await page.selectOption('select[data-step-index="2"]', '');
    await page.selectOption('select[name="window"]', '1h');
    await page.selectOption('select[name="breakdown"]', 'utm_source');
    await Promise.all([page.waitForURL(/step=/), page.click('form#view button[type="submit"]')]);
    const shared = page.url();
    expect(shared).not.toContain(READ_KEY);
    const params = new URL(shared).searchParams;
    expect(params.getAll('step').filter((step) => step !== '')).toEqual(['Signup Completed', 'Order Placed']);
    expect(params.get('window')).toBe('1h');
    // Order Placed comes about a day after signup: past a 1-hour window, nobody converts.
    expect(await funnelOf(page)).toEqual([
      ['Signup Completed', 10],
      ['Order Placed', 0],
    ]);
    const series = await page.locator('svg[data-chart="trends"] g.legend').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-event')));
    expect(series).toContain('Signup Completed · google');
    await page.screenshot({ path: resolve('test-results', 'dashboard-chosen-funnel.png'), fullPage: true });

    // A colleague without a session, and without JavaScript: login, then the same view.
    const theirs = await browser.newContext({ viewport: { width: 1280, height: 1000 }, javaScriptEnabled: false });
    const other = await theirs.newPage();
    expect((await other.goto(shared))?.status()).toBe(401);
    await logIn(other);
    expect(other.url()).toBe(shared.replace(/\?$/, ''));
    expect(await funnelOf(other)).toEqual(await funnelOf(page));
    expect(await other.locator('select[name="window"]').inputValue()).toBe('1h');
    await other.screenshot({ path: resolve('test-results', 'dashboard-shared-url.png'), fullPage: true });

    // Without JavaScript the form still works: a 7-day window converts the three orders.
    await other.selectOption('select[name="window"]', '7d');
    await Promise.all([other.waitForURL(/window=7d/), other.click('form#view button[type="submit"]')]);
    expect(await funnelOf(other)).toEqual([
      ['Signup Completed', 10],
      ['Order Placed', 3],
    ]);
    await mine.close();
    await theirs.close();
  });
});
