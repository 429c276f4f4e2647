import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSdk, CHROMIUM, closeServer, eventually, launchChromium, listen, openPage, pageServer, recordingCollector, track } from './browser-harness';

const byName = (events: { event?: string }[], name: string) => events.filter((e) => e.event == name);

describe.skipIf(!existsSync(CHROMIUM))('in Chromium, against a loopback recording collector', () => {
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
    await page.close({ runBeforeUnload: true });
    await eventually(() => {
      expect(byName(collector.events(), 'before close 1')).toHaveLength(1);
      expect(byName(collector.events(), 'before close 2')).toHaveLength(1);
    });
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
    await a!.close({ runBeforeUnload: true });
    await b!.evaluate(() => (window as any).analytics.flush());
    await eventually(() => expect(collector.events().length - before).toBe(30));
    await b!.waitForTimeout(1_500);
    const mine = collector.events().slice(before);
    expect(new Set(mine.map((e) => e.messageId)).size).toBe(30);
    expect(new Set(mine.map((e) => e.event)).size).toBe(30);
    await b!.close();
  });
});
