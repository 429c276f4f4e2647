/**
 * One visitor, end to end with the real SDKs: anonymous page views from the browser SDK in
 * Chromium, then identify and a signup in the same page, then an order sent by a server through the
 * Node SDK, which knows only the userId. The funnel Page Viewed → Signup Completed → Order Placed
 * counts that visitor once at every step, through the library, the dashboard's HTML and the `sluice`
 * CLI (spawned on the same data directory once the collector has closed it).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalytics } from '@sluice/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSdk, closeTab, CHROMIUM, closeServer, eventually, launchChromium, listen, openPage, pageServer } from '../../../sdk-browser/test/integration/browser-harness';
import type { Engine } from '../../src/clickhouse/index';
import { createEngine } from '../../src/clickhouse/index';
import { createCollector } from '../../src/index';
import { createRequestListener } from '../../src/node';
import { createQueries } from '../../src/query/index';
import { runCli } from './cli-support';

const STEPS = ['Page Viewed', 'Signup Completed', 'Order Placed'];
const READ_KEY = 'identity-e2e-read-key';
// Without Chromium the suite is skipped on a laptop, and fails under CI=true.
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true';

describe.skipIf(skip)('a visitor who browses anonymously, signs up, then orders from a server: one person', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-identity-e2e-'));
  const data = join(dir, 'chdb');
  let engine: Engine;
  let collector: ReturnType<typeof createCollector>;
  let servers: Server[] = [];
  let collectorOrigin = '';
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

  const landed = async (): Promise<Array<{ type: string; event: string; user_id: string; anonymous_id: string }>> => {
    const result = await engine.client.query({
      query: "SELECT type, event, user_id, anonymous_id FROM sluice.events WHERE project = 'shop' ORDER BY timestamp",
      format: 'JSONEachRow',
    });
    return result.json();
  };

  beforeAll(async () => {
    engine = await createEngine({ embedded: { path: data } });
    collector = createCollector({
      writeKeys: { wk_shop: 'shop' },
      engine: { clickhouse: engine.client },
      ack: 'clickhouse',
      cors: '*',
      dashboard: { readKey: READ_KEY, project: 'shop', steps: STEPS },
    });
    await collector.ready();
    const c = await listen(createRequestListener(collector));
    const app = await listen(pageServer(await bundleSdk(), c.origin, 'wk_shop'));
    servers = [c.server, app.server];
    collectorOrigin = c.origin;
    browser = await launchChromium();

    // In the browser: two anonymous page views, then identify and the signup.
    const page = await openPage(browser.context, app.origin);
    await page.evaluate(() => {
      const analytics = (window as any).analytics;
      analytics.page('Page Viewed', { path: '/' });
      analytics.page('Page Viewed', { path: '/pricing' });
    });
    await page.waitForTimeout(20);
    await page.evaluate(async () => {
      const analytics = (window as any).analytics;
      analytics.identify('user-42', { email: 'ada@example.com' });
      analytics.track('Signup Completed', { plan: 'free' });
      await analytics.flush();
    });
    await closeTab(page);
    await eventually(async () => expect(await landed()).toHaveLength(4), 30_000);

    // On the server: the order, by userId alone.
    const server = createAnalytics({ writeKey: 'wk_shop', endpoint: collectorOrigin });
    server.track({ event: 'Order Placed', userId: 'user-42', properties: { total: 42 } });
    await server.flush();
    await server.shutdown({ timeoutMs: 10_000 });
    await eventually(async () => expect(await landed()).toHaveLength(5), 30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map(closeServer));
    await collector?.close(10_000).catch(() => {});
    await engine?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('stored the page views under an anonymous id only, and the order under the userId only', async () => {
    const rows = await landed();
    const anonymous = rows.find((r) => r.type === 'page')?.anonymous_id ?? '';
    expect(anonymous).not.toBe('');
    // Compared as a set: events tracked in the same millisecond may come back in either order.
    const stored = rows.map((r) => [r.type, r.event, r.user_id, r.anonymous_id === anonymous] as const);
    const byText = (a: readonly unknown[], b: readonly unknown[]): number => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect([...stored].sort(byText)).toEqual(
      [
        ['page', 'Page Viewed', '', true],
        ['page', 'Page Viewed', '', true],
        ['identify', '', 'user-42', true],
        ['track', 'Signup Completed', 'user-42', true],
        ['track', 'Order Placed', 'user-42', false],
      ].sort(byText),
    );
  });

  it('counts the visitor once at every step through the library, where distinct_id saw two people', async () => {
    const queries = createQueries({ client: engine.client, project: 'shop' });
    expect((await queries.funnel({ steps: STEPS })).map(({ step, users }) => ({ step, users }))).toEqual(
      STEPS.map((step) => ({ step, users: 1 })),
    );
    expect((await queries.funnel({ steps: STEPS, by: 'distinct_id' })).map((s) => s.users)).toEqual([1, 0, 0]);
    expect(await queries.uniqueUsers()).toEqual({ users: 1, source: 'events_by_id' });
  });

  it('counts the visitor once at every step in the dashboard HTML', async () => {
    const response = await fetch(`${collectorOrigin}/dashboard`, { headers: { authorization: `Bearer ${READ_KEY}` } });
    expect(response.status).toBe(200);
    const html = await response.text();
    for (const step of STEPS) expect(html).toContain(`data-step="${step}" data-users="1"`);
  });

  it('counts the visitor once at every step through the sluice CLI', async () => {
    await collector.close(10_000);
    await engine.close();
    const cli = runCli(['query', 'funnel', '--steps', STEPS.join(','), '--embedded', data, '--project', 'shop', '--json']);
    expect(await cli.exited).toBe(0);
    expect(JSON.parse(cli.stdout()).map(({ step, users }: { step: string; users: number }) => ({ step, users }))).toEqual(
      STEPS.map((step) => ({ step, users: 1 })),
    );
    const byId = runCli(['query', 'funnel', '--steps', STEPS.join(','), '--embedded', data, '--project', 'shop', '--by', 'distinct_id', '--json']);
    expect(await byId.exited).toBe(0);
    expect(JSON.parse(byId.stdout()).map((s: { users: number }) => s.users)).toEqual([1, 0, 0]);
  });
});
