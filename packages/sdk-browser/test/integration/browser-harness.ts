/**
 * What the real-browser tests share: the SDK bundled as a script, a page server on one loopback
 * origin, a collector on another (so requests are cross-origin, as in production), and Chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { WireBatch, WireEvent } from '@sluice/schema';
import { eventsOf } from '../fake-browser';

export { CHROMIUM, hasChromium } from '../../../../test/support/requirements';
export { eventually } from '../../../../test/support/eventually';
import { CHROMIUM } from '../../../../test/support/requirements';

export const bundleSdk = async () => {
  const out = await build({
    entryPoints: [fileURLToPath(new URL('../../src/index.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'Sluice',
    platform: 'browser',
    write: false,
  });
  return out.outputFiles[0]!.text;
};

export const listen = async (handler: RequestListener) => {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

export const closeServer = (server: Server) =>
  new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const buf = Buffer.concat(chunks);
  return (req.headers['content-encoding'] == 'gzip' ? gunzipSync(buf) : buf).toString();
};

/** A stand-in collector that records every request and answers like the real one. */
export const recordingCollector = () => {
  const requests: { method: string; contentType?: string; body?: WireBatch }[] = [];
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type, content-encoding', 'access-control-allow-methods': 'POST' };
    if (req.method == 'OPTIONS') {
      requests.push({ method: 'OPTIONS' });
      res.writeHead(204, cors).end();
      return;
    }
    const body = JSON.parse(await readBody(req)) as WireBatch;
    requests.push({ method: req.method!, contentType: req.headers['content-type'], body });
    res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ success: true, accepted: body.batch.length, rejected: [] }));
  };
  return {
    requests,
    handler,
    /** Every event received, as the collector reads it (the batch's context merged under each event's own). */
    events: (): WireEvent[] => requests.flatMap((r) => (r.body ? eventsOf(r.body) : [])),
  };
};

/** Serves `/page` (loads the SDK, exposes `window.analytics`), `/sdk.js` and `/away`. */
export const pageServer = (sdk: string, collectorOrigin: string, writeKey: string) => (req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url!, 'http://x');
  if (url.pathname == '/sdk.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
  if (url.pathname == '/away') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<title>away</title>away');
  const options = { writeKey, endpoint: collectorOrigin, autoPage: false, flushIntervalMs: 1_000, ...JSON.parse(url.searchParams.get('options') ?? '{}') };
  res.writeHead(200, { 'content-type': 'text/html' }).end(
    `<!doctype html><title>Sluice e2e</title><script src="/sdk.js"></script><script>window.analytics = Sluice.createAnalytics(${JSON.stringify(options)});</script>`,
  );
};

export const launchChromium = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

export const openPage = async (context: BrowserContext, origin: string, options: object = {}): Promise<Page> => {
  const page = await context.newPage();
  await page.goto(`${origin}/page?options=${encodeURIComponent(JSON.stringify(options))}`);
  await page.waitForFunction(() => 'analytics' in window);
  return page;
};

/**
 * Closes a tab the way a user does, running its unload handlers, and waits until it is gone.
 * `page.close({ runBeforeUnload: true })` returns before the tab has closed; a context call made in
 * that window (setOffline, newPage) can fail with "Target page, context or browser has been closed".
 */
export const closeTab = async (page: Page) => {
  const closed = page.waitForEvent('close');
  await page.close({ runBeforeUnload: true });
  await closed;
};

export const track = (page: Page, ...names: string[]) =>
  page.evaluate((ns) => ns.forEach((n) => (window as any).analytics.track(n, { n })), names);

