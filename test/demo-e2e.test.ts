import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCollector, type Collector } from '@sluice/collector';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium } from './support/requirements';
import { closeTab } from '../packages/sdk-browser/test/integration/browser-harness';
// The demo's own server and taxonomy, exactly as `npm run demo` uses them.
import { startServer } from '../examples/demo/server.mjs';
import { taxonomy } from '../examples/demo/taxonomy.mjs';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const root = join(import.meta.dirname, '..');

/**
 * The demo page in Debian's Chromium against a collector on chDB: clicks that track, leaving the
 * page and closing the tab right after tracking (the beacon path), offline then online, two tabs.
 * The collector's messageId window is off, so a duplicate sent by the SDK would show up as a row.
 */
describe.skipIf(!hasChromium())('the demo page in Chromium', () => {
  let dir: string;
  let collector: Collector;
  let server: Server;
  let url: string;
  let browser: Browser;
  let query: (sql: string) => Promise<Record<string, unknown>[]>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-demo-e2e-'));
    collector = createCollector({
      writeKeys: { 'demo-write-key': 'demo' },
      engine: { embedded: { path: join(dir, 'data') } },
      ack: 'clickhouse',
      taxonomy,
      limits: { dedupeWindow: 0 },
      dashboard: { readKey: 'demo-read-key', project: 'demo', steps: ['Signup Completed', 'Activated', 'Order Placed'] },
    });
    const { engine } = await collector.ready();
    const client = engine!.client;
    query = async (sql) => (await client.query({ query: sql, format: 'JSONEachRow' })).json();
    const countEvents = async () => Number((await query('SELECT uniqExact(message_id) AS n FROM sluice.events'))[0]!.n);
    ({ server, url } = await startServer({ collector, port: 0, host: '127.0.0.1', writeKey: 'demo-write-key', countEvents }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Rows and distinct messageIds of `Button Clicked` per label, waiting until `expected` rows landed. */
  async function clicks(expected: Record<string, number>): Promise<Record<string, { rows: number; ids: number }>> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = await query(
        `SELECT toString(properties.label) AS label, count() AS rows, uniqExact(message_id) AS ids
         FROM sluice.events WHERE event = 'Button Clicked' GROUP BY label`,
      );
      const byLabel = Object.fromEntries(found.map((r) => [r.label as string, { rows: Number(r.rows), ids: Number(r.ids) }]));
      const done = Object.entries(expected).every(([label, n]) => (byLabel[label]?.rows ?? 0) >= n);
      if (done || Date.now() > deadline) return byLabel;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const open = async (context: BrowserContext): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => 'sluice' in window);
    return page;
  };

  it('stores each click once, including the one right before navigating away', async () => {
    const context = await browser.newContext();
    const page = await open(context);
    await page.click('#signup');
    await page.click('#order');
    await page.click('#order');
    await page.click('#leave'); // tracks, then navigates at once: only the beacon can carry it
    await page.waitForURL(/left=1/);
    await page.waitForFunction(() => Number(document.querySelector('#landed')?.textContent) >= 4, undefined, { timeout: 20_000 });
    mkdirSync(join(root, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-results', 'demo-page.png'), fullPage: true });
    await context.close();
    const landed = await clicks({ 'Sign up': 1, 'Place order': 2, Leave: 1 });
    expect(landed['Sign up']).toEqual({ rows: 1, ids: 1 });
    expect(landed['Place order']).toEqual({ rows: 2, ids: 2 });
    expect(landed.Leave).toEqual({ rows: 1, ids: 1 });
  });

  it('stores an event tracked right before the tab is closed', async () => {
    const context = await browser.newContext();
    const page = await open(context);
    await page.evaluate(() => (window as unknown as { sluice: { track(e: string, p: object): void } }).sluice.track('Button Clicked', { label: 'Close' }));
    await closeTab(page);
    await context.close();
    expect((await clicks({ Close: 1 })).Close).toEqual({ rows: 1, ids: 1 });
  });

  it('keeps events tracked offline and sends them once back online', async () => {
    const context = await browser.newContext();
    const page = await open(context);
    await context.setOffline(true);
    await page.evaluate(() => {
      const sluice = (window as unknown as { sluice: { track(e: string, p: object): void } }).sluice;
      for (let i = 0; i < 5; i++) sluice.track('Button Clicked', { label: 'Offline' });
    });
    await page.waitForTimeout(1_500); // past the flush interval: sending fails or waits while offline
    expect((await clicks({})).Offline).toBeUndefined();
    await context.setOffline(false);
    expect((await clicks({ Offline: 5 })).Offline).toEqual({ rows: 5, ids: 5 });
    await context.close();
  });

  it('serves the dashboard on the collector behind its read key, with the clicks in it', async () => {
    expect((await fetch(`${url}/dashboard`)).status).toBe(401);
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${url}/dashboard?key=demo-read-key`);
    await page.locator('svg').first().waitFor({ state: 'visible' });
    expect(await page.locator('body').innerText()).toContain('Button Clicked');
    expect(await page.locator('svg').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(root, 'test-results', 'demo-dashboard.png'), fullPage: true });
    await context.close();
  });

  it('sends each event of two open tabs once', async () => {
    const context = await browser.newContext();
    const [first, second] = [await open(context), await open(context)];
    for (let i = 0; i < 3; i++) {
      await first.evaluate(() => (window as unknown as { sluice: { track(e: string, p: object): void } }).sluice.track('Button Clicked', { label: 'Tab A' }));
      await second.evaluate(() => (window as unknown as { sluice: { track(e: string, p: object): void } }).sluice.track('Button Clicked', { label: 'Tab B' }));
    }
    await closeTab(first);
    await second.evaluate(() => (window as unknown as { sluice: { flush(): Promise<void> } }).sluice.flush());
    const landed = await clicks({ 'Tab A': 3, 'Tab B': 3 });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // room for a duplicate to arrive, if any were sent
    const settled = await clicks({});
    expect(settled['Tab A']).toEqual({ rows: 3, ids: 3 });
    expect(settled['Tab B']).toEqual({ rows: 3, ids: 3 });
    expect(landed['Tab A']!.rows).toBe(3);
    await context.close();
  });
});
