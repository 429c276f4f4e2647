import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleSdk, closeTab, closeServer, hasChromium, eventually, launchChromium, listen, openPage, pageServer, recordingCollector, track } from './browser-harness';

const byName = (events: { event?: string }[], name: string) => events.filter((e) => e.event == name);

describe.skipIf(!hasChromium())('in Chromium, against a loopback recording collector', () => {
  const collector = recordingCollector();
  let servers: Server[] = [];
  let app = '';
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    const c = await listen(collector.handler);
    const a = await listen(pageServer(await bundleSdk(), c.origin, 'wk_e2e'));
    servers = [c.server, a.server];
    app = a.origin;
    browser = await launchChromium();
  });
  afterEach(async () => {
    await browser?.context.setOffline(false); // a failed offline test must not fail the ones after it
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map(closeServer));
  });

  it('delivers events tracked right before navigating away, once, with no CORS preflight', async () => {
    const page = await openPage(browser.context, app, { flushIntervalMs: 60_000 });
    await page.evaluate(() => {
      (window as any).analytics.track('before navigate');
      location.href = '/away';
    });
    await page.waitForURL('**/away');
    await eventually(() => expect(byName(collector.events(), 'before navigate')).toHaveLength(1));
    expect(collector.requests.filter((r) => r.method == 'OPTIONS')).toHaveLength(0);
    expect(collector.requests.every((r) => r.method != 'POST' || r.contentType?.startsWith('text/plain'))).toBe(true);
    await page.close();
  });

  it('delivers events tracked right before the tab closes', async () => {
    const page = await openPage(browser.context, app, { flushIntervalMs: 60_000 });
    await track(page, 'before close 1', 'before close 2');
    await closeTab(page);
    await eventually(() => {
      expect(byName(collector.events(), 'before close 1')).toHaveLength(1);
      expect(byName(collector.events(), 'before close 2')).toHaveLength(1);
    });
  });

  it('delivers every event of a burst tracked right before navigating away, once each', async () => {
    const page = await openPage(browser.context, app, { flushIntervalMs: 60_000 });
    // 50 events in one task, then leave in the same task: the burst's drain and the pagehide beacon
    // race, and between them every event must go out exactly once (50 events stay under the browser's
    // 64 KiB keepalive budget, which a beacon cannot exceed).
    await page.evaluate(() => {
      for (let i = 0; i < 50; i++) (window as any).analytics.track('burst', { i });
      location.href = '/away';
    });
    await page.waitForURL('**/away');
    await eventually(() => expect(byName(collector.events(), 'burst')).toHaveLength(50));
    await page.waitForTimeout(1_000); // nothing arrives twice, late
    expect(new Set(byName(collector.events(), 'burst').map((e) => (e as { properties?: { i?: number } }).properties?.i)).size).toBe(50);
    expect(byName(collector.events(), 'burst')).toHaveLength(50);
    await page.close();
  });

  it('keeps a burst tracked offline in storage when the tab closes, and another tab sends it later', async () => {
    const options = { flushIntervalMs: 300, tabStaleMs: 1_000 };
    const page = await openPage(browser.context, app, options);
    await browser.context.setOffline(true);
    await page.evaluate(() => {
      for (let i = 0; i < 30; i++) (window as any).analytics.track('stored burst', { i });
    });
    await closeTab(page);
    expect(byName(collector.events(), 'stored burst')).toHaveLength(0);
    await browser.context.setOffline(false);
    const next = await openPage(browser.context, app, options); // adopts the closed tab's stale queue
    await eventually(() => expect(byName(collector.events(), 'stored burst')).toHaveLength(30));
    await next.waitForTimeout(1_000);
    expect(new Set(byName(collector.events(), 'stored burst').map((e) => (e as { properties?: { i?: number } }).properties?.i)).size).toBe(30);
    expect(byName(collector.events(), 'stored burst')).toHaveLength(30);
    await next.close();
  });

  it('holds events tracked offline and delivers them after going online', async () => {
    const page = await openPage(browser.context, app);
    await browser.context.setOffline(true);
    await track(page, 'offline 1', 'offline 2');
    await page.waitForTimeout(2_500); // more than two flush intervals
    expect(byName(collector.events(), 'offline 1')).toHaveLength(0);
    await browser.context.setOffline(false);
    await eventually(() => {
      expect(byName(collector.events(), 'offline 1')).toHaveLength(1);
      expect(byName(collector.events(), 'offline 2')).toHaveLength(1);
    });
    await page.close();
  });

  it('two tabs produce no duplicates, through flushes and a close', async () => {
    const before = collector.events().length;
    const [a, b] = [await openPage(browser.context, app, { flushAt: 3 }), await openPage(browser.context, app, { flushAt: 7 })];
    for (let round = 0; round < 10; round++) {
      await track(a!, `tab a ${round}`);
      await track(b!, `tab b ${round}`, `tab b ${round}'`);
    }
    await closeTab(a!);
    await b!.evaluate(() => (window as any).analytics.flush());
    await eventually(() => expect(collector.events().length - before).toBe(30));
    await b!.waitForTimeout(1_500);
    const mine = collector.events().slice(before);
    expect(new Set(mine.map((e) => e.messageId)).size).toBe(30);
    expect(new Set(mine.map((e) => e.event)).size).toBe(30);
    await b!.close();
  });
});
