/**
 * Segment's browser library, `@segment/analytics-next` from npm, unmodified (bundled by esbuild as
 * an app would), in Chromium, sending to a real collector on another origin, in both delivery
 * strategies, with the settings docs/migrating.md gives. A visitor views pages anonymously, then
 * identifies, tracks, joins a group, is aliased, and navigates away right after a track. The rows in
 * ClickHouse (chDB) must be exact: counts per type, one row per message_id, properties intact,
 * anonymous events with anonymous_id and an empty user_id, library from analytics.js's context.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  countByType,
  eventually,
  failUnless,
  hasChromium,
  landed,
  metric,
  quarantined,
  skipUnless,
  startCompatCollector,
  type CompatCollector,
  type LandedRow,
  type SeenRequest,
} from './compat-support';
import { DEFAULTS } from '../../src/defaults';

const require = createRequire(import.meta.url);
const VERSION = (require('@segment/analytics-next/package.json') as { version: string }).version;
const PROPS = { plan: 'pro', price: 12.5, tags: ['a', 'b'], nested: { city: 'Zürich', emoji: '🚀' } };
const EXPECTED = { page: 2, track: 3, identify: 1, group: 1, alias: 1 };

const MODES = [
  {
    mode: 'standard',
    key: 'wk_ajs_standard',
    project: 'ajs-standard',
    // docs/migrating.md, analytics-next from npm: apiHost and protocol in the Segment.io settings.
    load: (hostPort: string, key: string) => [
      { writeKey: key, cdnSettings: { integrations: { 'Segment.io': { apiKey: key, apiHost: `${hostPort}/v1`, protocol: 'http' } } } },
      {},
    ],
  },
  {
    mode: 'batching',
    key: 'wk_ajs_batching',
    project: 'ajs-batching',
    // The same, given as load options (which also send analytics.js's own /v1/m metrics to Sluice).
    load: (hostPort: string, key: string) => [
      { writeKey: key, cdnSettings: { integrations: { 'Segment.io': { apiKey: key } }, metrics: { flushTimer: 500, sampleRate: 1 } } },
      { integrations: { 'Segment.io': { apiHost: `${hostPort}/v1`, protocol: 'http', deliveryStrategy: { strategy: 'batching', config: { size: 10, timeout: 1_000 } } } } },
    ],
  },
] as const;

let sluice: CompatCollector;
const seen: SeenRequest[] = [];
let app: Server;
let appOrigin = '';
let browser: Browser;

/** Serves `/page?mode=…` (loads analytics-next with that mode's settings into `window.analytics`), `/ajs.js` and `/away`. */
function appServer(bundle: string, hostPort: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/ajs.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    if (url.pathname === '/away') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>away</title>away');
    const mode = MODES.find((m) => m.mode === url.searchParams.get('mode')) ?? MODES[0];
    const [settings, options] = mode.load(hostPort, mode.key);
    res.writeHead(200, { 'content-type': 'text/html' }).end(
      `<!doctype html><title>shop</title><script src="/ajs.js"></script>
<script>window.analytics = AjsBundle.AnalyticsBrowser.load(${JSON.stringify(settings)}, ${JSON.stringify(options)});</script>`,
    );
  };
}

beforeAll(async () => {
  failUnless(hasChromium, 'Chromium (/usr/bin/chromium)', 'sudo apt-get install -y chromium');
  // The messageId dedupe stays on, as users run it: analytics-next re-sends an event that was in
  // flight when the page went away, which may already have landed.
  sluice = await startCompatCollector(
    'compat-ajs',
    { writeKeys: Object.fromEntries(MODES.map((m) => [m.key, m.project])), limits: { dedupeWindow: DEFAULTS.dedupeWindow } },
    seen,
  );
  const out = await build({
    stdin: { contents: "export { AnalyticsBrowser } from '@segment/analytics-next';", resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    format: 'iife',
    globalName: 'AjsBundle',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  app = createServer(appServer(out.outputFiles[0]!.text, sluice.hostPort));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  // Another port is another origin: the collector is cross-origin, as in production (CORS preflights included).
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  if (app) {
    app.closeAllConnections();
    await new Promise((resolve) => app.close(resolve));
  }
  await sluice?.close();
});

interface SentEvent {
  messageId: string;
  type: string;
  userId?: string | null;
  anonymousId?: string | null;
  previousId?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  writeKey?: string;
}

/** Every event analytics-next put on the wire with this write key, by messageId (a re-send counts once). */
function sentEvents(writeKey: string): Map<string, SentEvent> {
  const events = new Map<string, SentEvent>();
  for (const request of seen) {
    if (request.method !== 'POST' || request.path === '/v1/m') continue;
    const body = JSON.parse(request.body) as SentEvent & { batch?: SentEvent[] };
    for (const event of body.batch ?? [body]) {
      if ((event.writeKey ?? body.writeKey) === writeKey) events.set(event.messageId, event);
    }
  }
  return events;
}

async function open(page: Page, mode: string): Promise<void> {
  await page.goto(`${appOrigin}/page?mode=${mode}`);
  await page.waitForFunction(() => 'analytics' in window);
  await page.evaluate(() => (window as any).analytics.ready());
}

describe.skipIf(skipUnless(hasChromium)).each(MODES)('@segment/analytics-next in Chromium, $mode delivery', ({ mode, key, project }) => {
  let rows: LandedRow[] = [];
  let sent = new Map<string, SentEvent>();
  const total = Object.values(EXPECTED).reduce((a, b) => a + b, 0);

  it('lands every event of an anonymous visit, identify, group, alias and a track right before navigating away', async () => {
    // A fresh context per mode: a new visitor, with no analytics.js cookies or localStorage yet.
    const context = await browser.newContext();
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(sluice.origin) && response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
    });
    await open(page, mode);
    // Each call resolves once analytics-next has handled it, so the identify below cannot be read into
    // the anonymous events (analytics-next fills userId from its user store when it sends).
    await page.evaluate(async (props) => {
      const analytics = (window as any).analytics;
      await analytics.page();
      await analytics.track('Viewed Plan', props);
    }, PROPS);
    await open(page, mode);
    await page.evaluate(async () => {
      const analytics = (window as any).analytics;
      await analytics.page('Docs', 'Pricing', { section: 'faq' });
      await analytics.identify('user-1', { email: 'zoe@example.com', name: 'Zoë' });
      await analytics.track('Signed Up', { source: 'pricing', ok: true });
      await analytics.group('org-1', { name: 'Acme', employees: 42 });
      await analytics.alias('user-1-new', 'user-1');
    });
    // Tracked, then away before the request can finish: analytics-next keeps it (in flight or buffered) and sends it.
    await page.evaluate(() => {
      (window as any).analytics.track('Clicked Checkout', { cart: 3 });
      location.href = '/away';
    });
    await page.waitForURL('**/away');
    // Back on a page with analytics-next: it sends what it kept.
    await open(page, mode);

    rows = await eventually(async () => {
      const rows = await landed(sluice.client, project);
      expect(countByType(rows)).toEqual(EXPECTED);
      return rows;
    }, 45_000);
    await context.close();
    sent = sentEvents(key);
    expect(failures).toEqual([]);
    expect(await quarantined(sluice.client, project)).toEqual([]);
  });

  it('stores each message_id once, and exactly the events analytics-next sent', () => {
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((row) => row.message_id)).size).toBe(total);
    expect(rows.map((row) => row.message_id).sort()).toEqual([...sent.keys()].sort());
  });

  it('stores each event as it was sent: ids, properties and traits', () => {
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const event = sent.get(row.message_id)!;
      expect(row.type).toBe(event.type);
      expect(row.user_id).toBe(event.userId ?? '');
      expect(row.anonymous_id).toBe(event.anonymousId ?? '');
      expect(row.previous_id).toBe(event.previousId ?? '');
      expect(JSON.parse(row.properties)).toEqual(event.properties ?? {});
      expect(JSON.parse(row.traits)).toEqual(event.traits ?? {});
    }
  });

  it('keeps anonymous events under their anonymous_id with an empty user_id, then the user', () => {
    const anonymousId = rows[0]!.anonymous_id;
    expect(anonymousId).not.toBe('');
    for (const row of rows) expect(row.anonymous_id).toBe(anonymousId);
    // analytics-next sends "userId": null before identify; those events must land, not go to quarantine.
    const anonymous = rows.filter((row) => sent.get(row.message_id)!.userId === null);
    expect(anonymous.map((row) => row.event)).toEqual(expect.arrayContaining(['', 'Viewed Plan']));
    for (const row of anonymous) expect(row).toMatchObject({ anonymous_id: anonymousId, user_id: '' });
    expect(rows[0]).toMatchObject({ type: 'page', user_id: '' });
    expect(rows.find((row) => row.type === 'identify')).toMatchObject({ user_id: 'user-1' });
    expect(rows.find((row) => row.event === 'Signed Up')).toMatchObject({ user_id: 'user-1' });
    expect(rows.find((row) => row.type === 'alias')).toMatchObject({ previous_id: 'user-1' });
  });

  it('keeps properties and traits as sent', () => {
    expect(JSON.parse(rows.find((row) => row.event === 'Viewed Plan')!.properties)).toEqual(PROPS);
    expect(JSON.parse(rows.find((row) => row.event === 'Signed Up')!.properties)).toEqual({ source: 'pricing', ok: true });
    expect(JSON.parse(rows.find((row) => row.event === 'Clicked Checkout')!.properties)).toEqual({ cart: 3 });
    const pricing = rows.find((row) => row.type === 'page' && row.event === 'Pricing')!;
    expect(JSON.parse(pricing.properties)).toMatchObject({ section: 'faq', path: '/page' });
    expect(JSON.parse(pricing.context)).toMatchObject({ category: 'Docs' });
    expect(pricing.page_path).toBe('/page');
    expect(JSON.parse(rows.find((row) => row.type === 'identify')!.traits)).toEqual({ email: 'zoe@example.com', name: 'Zoë' });
    expect(JSON.parse(rows.find((row) => row.type === 'group')!.traits)).toEqual({ name: 'Acme', employees: 42 });
  });

  it("takes library_name and library_version from analytics.js's context", () => {
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect({ name: row.library_name, version: row.library_version }).toEqual({ name: 'analytics.js', version: `npm:next-${VERSION}` });
  });
});

describe.skipIf(skipUnless(hasChromium))('analytics.js metrics (/v1/m)', () => {
  it('are answered 200 and counted, never stored', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const answers: number[] = [];
    page.on('response', (response) => response.url().endsWith('/v1/m') && answers.push(response.status()));
    // The batching page sends analytics.js's metrics to the collector every 500 ms (its cdnSettings.metrics).
    await open(page, 'batching');
    // Every call counts as analytics_js.invoke in its metrics (this one event lands after the counts above were checked).
    await page.evaluate(() => (window as any).analytics.track('Metrics Probe'));
    await eventually(async () => expect(await metric(sluice.collector, 'sluice_client_metrics_reports_total')).toBeGreaterThan(0), 30_000);
    await eventually(() => expect(answers).toContain(200));
    await context.close();
    expect(answers.every((status) => status === 200)).toBe(true);
    const stored = await sluice.client.query({ query: "SELECT count() AS n FROM sluice.events WHERE project NOT IN ('ajs-standard', 'ajs-batching')", format: 'JSONEachRow' });
    expect(Number((await stored.json<{ n: string | number }>())[0]?.n)).toBe(0);
  });
});
