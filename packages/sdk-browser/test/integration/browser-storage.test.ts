import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '@sluice/schema';
import { bundleSdk, closeServer, closeTab, eventually, hasChromium, launchChromium, listen, openPage, pageServer, recordingCollector } from './browser-harness';

const WRITE_KEY = 'wk_storage';
const byName = (events: WireEvent[], name: string) => events.filter((e) => e.event == name);
const indexes = (events: WireEvent[]) => new Set(events.map((e) => (e.properties as { i?: number } | undefined)?.i));

describe.skipIf(!hasChromium())('the stored queue in Chromium', () => {
  const collector = recordingCollector();
  let servers: Server[] = [];
  let app = '';
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const options = { flushIntervalMs: 300, tabStaleMs: 1_000 };

  beforeAll(async () => {
    const c = await listen(collector.handler);
    const a = await listen(pageServer(await bundleSdk(), c.origin, WRITE_KEY));
    servers = [c.server, a.server];
    app = a.origin;
    browser = await launchChromium();
  });
  afterEach(async () => {
    await browser?.context.setOffline(false);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map(closeServer));
  });

  it('keeps bursts in a chunk each when the tab goes away offline, and the next page sends each event exactly once', async () => {
    const page = await openPage(browser.context, app, options);
    await browser.context.setOffline(true); // nothing is sent, and no beacon on the way out
    await page.evaluate(async () => {
      // Three tasks of 100 events: each task's events are stored in one write, as a chunk of their own.
      for (let i = 0; i < 300; i++) {
        (window as any).analytics.track('crash burst', { i, note: 'kept in localStorage while offline' });
        if (i % 100 == 99) await new Promise((resolve) => setTimeout(resolve, 0));
      }
    });
    const chunks = await page.evaluate((prefix) => Object.keys(localStorage).filter((k) => k.startsWith(prefix)), `sluice:${WRITE_KEY}:c`);
    expect(chunks).toHaveLength(3);
    await closeTab(page);
    await browser.context.setOffline(false);
    const next = await openPage(browser.context, app, options); // adopts the closed tab's queue once its heartbeat is stale
    await eventually(() => expect(byName(collector.events(), 'crash burst')).toHaveLength(300), 15_000);
    await next.waitForTimeout(1_500); // nothing arrives twice, late
    const sent = byName(collector.events(), 'crash burst');
    expect(sent).toHaveLength(300);
    expect(indexes(sent).size).toBe(300);
    expect(new Set(sent.map((e) => e.messageId)).size).toBe(300);
    expect(sent.every((e) => e.context?.page?.path == '/page')).toBe(true); // the context stored once per chunk is back in each event
    expect(await next.evaluate(() => Object.keys(localStorage).filter((k) => /:[cq]/.test(k)))).toEqual([]);
    await next.close();
  });

  it('sends, once, a queue that the previous version stored in one key (`<prefix>q<tab>`): an upgrade loses nothing', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${app}/away`); // same origin as the app, without the SDK
    // What the previous version left in storage: its tab's whole queue as one JSON array of events,
    // and the tab's heartbeat `owner:time`, stale since the tab went away.
    await page.evaluate((writeKey) => {
      const tab = '0190a1b2-0000-7000-8000-0000000000aa';
      const events = [0, 1, 2].map((i) => ({
        type: 'track',
        event: 'queued before upgrade',
        messageId: `0190a1b2-c3d4-7e5f-8a6b-00000000000${i}`,
        anonymousId: '0190a1b2-0000-7000-8000-0000000000bb',
        timestamp: new Date(Date.now() - 60_000).toISOString(),
        properties: { i },
        context: { library: { name: '@sluice/sdk-browser', version: '0.0.0' }, page: { path: '/before' } },
      }));
      localStorage.setItem(`sluice:${writeKey}:q${tab}`, JSON.stringify(events));
      localStorage.setItem(`sluice:${writeKey}:h${tab}`, `${tab}:${Date.now() - 60_000}`);
    }, WRITE_KEY);
    await page.goto(`${app}/page?options=${encodeURIComponent(JSON.stringify(options))}`);
    await eventually(() => expect(byName(collector.events(), 'queued before upgrade')).toHaveLength(3), 15_000);
    await page.waitForTimeout(1_500);
    const sent = byName(collector.events(), 'queued before upgrade');
    expect(sent.map((e) => e.messageId).sort()).toEqual([0, 1, 2].map((i) => `0190a1b2-c3d4-7e5f-8a6b-00000000000${i}`));
    expect(sent.every((e) => e.context?.page?.path == '/before')).toBe(true);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => /:[cq]/.test(k)))).toEqual([]);
    await page.close();
  });
});
