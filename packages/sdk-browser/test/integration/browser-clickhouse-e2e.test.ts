/**
 * The same browser scenarios against the real collector (`@sluice/collector`, node adapter) with
 * `ack: 'clickhouse'` on embedded chDB, asserting on the rows in `sluice.events`. The collector's
 * in-memory messageId dedupe is turned off, so a duplicate sent by the SDK would show as a second row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirement } from '../../../../test/support/requirements';
import { bundleSdk, closeTab, closeServer, hasChromium, eventually, launchChromium, listen, openPage, pageServer, track } from './browser-harness';

// The collector is a sibling workspace package, used from its dist as a user would. It is loaded by a
// computed name and typed here by the little this test needs, so this package's typecheck does not
// depend on the collector being built (and the suite skips when it is not).
interface Engine {
  client: { query(q: { query: string; format: 'JSONEachRow' }): Promise<{ json<R>(): Promise<R[]> }> };
  close(): Promise<void>;
}
interface Collector {
  ready(): Promise<unknown>;
  close(deadlineMs?: number): Promise<void>;
}
interface CollectorModule {
  createEngine(o: { embedded: { path: string } }): Promise<Engine>;
  createCollector(o: object): Collector;
}
const load = <M>(name: string) => import(/* @vite-ignore */ name).then((m: M) => m, () => undefined);
const collectorModule = await load<CollectorModule>('@sluice/collector');
const nodeAdapter = await load<{ createRequestListener(c: Collector): RequestListener }>('@sluice/collector/node');
const chdbInstalled = (await load('chdb/connection')) !== undefined;

type Row = { message_id: string; event: string; type: string; session_id: string; page_path: string; utm_source: string; library_name: string };

const collectorBuilt = requirement('@sluice/collector and its node adapter, built', collectorModule !== undefined && nodeAdapter !== undefined, 'run npm run build');
const chdbPresent = requirement('chdb', chdbInstalled, 'run npm ci (chdb is a dev dependency of the repository)');

describe.skipIf(!hasChromium() || !collectorBuilt || !chdbPresent)('in Chromium, against the collector, into ClickHouse (chDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sdk-browser-ch-'));
  let servers: Server[] = [];
  let app = '';
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let engine: Engine;
  let collector: Collector;

  const rows = async (where: string): Promise<Row[]> => {
    const r = await engine.client.query({
      query: `SELECT message_id, event, type, session_id, page_path, utm_source, library_name FROM sluice.events WHERE project = 'e2e' AND ${where}`,
      format: 'JSONEachRow',
    });
    return r.json<Row>();
  };

  beforeAll(async () => {
    const { createCollector, createEngine } = collectorModule!;
    engine = await createEngine({ embedded: { path: join(dir, 'chdb') } });
    collector = createCollector({
      writeKeys: { wk_e2e: 'e2e' },
      engine: { clickhouse: engine.client },
      ack: 'clickhouse',
      cors: '*',
      limits: { dedupeWindow: 0 },
    });
    await collector.ready();
    const c = await listen(nodeAdapter!.createRequestListener(collector));
    const a = await listen(pageServer(await bundleSdk(), c.origin, 'wk_e2e'));
    servers = [c.server, a.server];
    app = a.origin;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map(closeServer));
    await collector?.close(10_000);
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('events tracked right before navigating away and before closing the tab land, once', async () => {
    const page = await openPage(browser.context, app, { flushIntervalMs: 60_000 });
    await page.evaluate(() => {
      (window as any).analytics.track('ch before navigate');
      location.href = '/away?utm_source=x';
    });
    await page.waitForURL('**/away*');
    await page.goto(`${app}/page?utm_source=newsletter&options=${encodeURIComponent('{"flushIntervalMs":60000}')}`);
    await page.waitForFunction(() => 'analytics' in window);
    await track(page, 'ch before close');
    await closeTab(page);
    await eventually(async () => {
      const landed = await rows(`event IN ('ch before navigate', 'ch before close')`);
      expect(landed.map((r) => r.event).sort()).toEqual(['ch before close', 'ch before navigate']);
      const close = landed.find((r) => r.event == 'ch before close')!;
      expect(close).toMatchObject({ type: 'track', page_path: '/page', utm_source: 'newsletter', library_name: '@sluice/sdk-browser' });
      expect(close.session_id).not.toBe('');
    }, 30_000);
  });

  it('events of one batch land with their own page, across history.pushState', async () => {
    const page = await openPage(browser.context, app, { flushIntervalMs: 60_000 });
    await page.evaluate(() => {
      const analytics = (window as any).analytics;
      analytics.track('ch spa 1');
      history.pushState({}, '', '/checkout?utm_source=spa');
      analytics.track('ch spa 2');
      analytics.track('ch spa 3');
      return analytics.flush();
    });
    await eventually(async () => {
      const landed = await rows(`startsWith(event, 'ch spa ')`);
      expect(landed.map((r) => [r.event, r.page_path, r.utm_source, r.library_name]).sort()).toEqual([
        ['ch spa 1', '/page', '', '@sluice/sdk-browser'],
        ['ch spa 2', '/checkout', 'spa', '@sluice/sdk-browser'],
        ['ch spa 3', '/checkout', 'spa', '@sluice/sdk-browser'],
      ]);
      expect(new Set(landed.map((r) => r.session_id)).size).toBe(1);
    }, 30_000);
    await page.close();
  });

  it('events tracked offline land after going online', async () => {
    const page = await openPage(browser.context, app);
    await browser.context.setOffline(true);
    await track(page, 'ch offline');
    await page.waitForTimeout(2_500);
    expect(await rows(`event = 'ch offline'`)).toHaveLength(0);
    await browser.context.setOffline(false);
    await eventually(async () => expect(await rows(`event = 'ch offline'`)).toHaveLength(1), 30_000);
    await page.close();
  });

  it('two tabs produce no duplicate rows', async () => {
    const [a, b] = [await openPage(browser.context, app, { flushAt: 3 }), await openPage(browser.context, app, { flushAt: 4 })];
    for (let round = 0; round < 8; round++) {
      await track(a!, `ch tab a ${round}`);
      await track(b!, `ch tab b ${round}`);
    }
    await closeTab(a!);
    await b!.evaluate(() => (window as any).analytics.flush());
    await eventually(async () => expect(await rows(`startsWith(event, 'ch tab ')`)).toHaveLength(16), 30_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const landed = await rows(`startsWith(event, 'ch tab ')`);
    expect(landed).toHaveLength(16);
    expect(new Set(landed.map((r) => r.message_id)).size).toBe(16);
    await b!.close();
  });
});
