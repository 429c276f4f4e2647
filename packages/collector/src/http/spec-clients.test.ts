/**
 * What clients that speak the Segment Spec send, as they send it: the analytics.js short paths and
 * its `/v1/m` metrics, JSON under any content type, `null` optionals, extra top-level fields, and
 * rejections made visible in /metrics and the log. The real clients run in
 * test/integration/compat-*.test.ts; these pin the collector's side without a network.
 */
import { gzipSync } from 'node:zlib';
import { defineTaxonomy } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import { createMemorySink } from '../../test/support/http-memory-sink';
import { createCollector, type CollectorOptions } from '../collector';
import { DEFAULTS } from '../defaults';
import type { Logger } from '../logger';
import { keyFingerprint } from './rejection-report';
import { POST_PATHS } from './routes';

const KEY = 'wk_spec';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function setup(options: Partial<CollectorOptions> = {}) {
  const sink = createMemorySink();
  let now = Date.UTC(2026, 0, 10, 12);
  const collector = createCollector({ writeKeys: { [KEY]: 'proj' }, sink, now: () => now, ...options });
  const send = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
    collector.fetch(new Request(`http://collector.test${path}`, { method: 'POST', headers: { authorization: basic(KEY), ...headers }, body }));
  return { sink, collector, send, advance: (ms: number) => (now += ms) };
}

const track = (extra: Record<string, unknown> = {}) => ({ type: 'track', event: 'Clicked', anonymousId: 'anon-1', ...extra });

describe('the analytics.js short paths', () => {
  it.each([
    ['/v1/t', 'track', { event: 'Clicked' }],
    ['/v1/p', 'page', { name: 'Home' }],
    ['/v1/s', 'screen', { name: 'Home' }],
    ['/v1/i', 'identify', { traits: { plan: 'pro' } }],
    ['/v1/g', 'group', { groupId: 'g-1' }],
    ['/v1/a', 'alias', { userId: 'u-1', previousId: 'anon-1' }],
  ])('%s takes a %s, stored with its type', async (path, type, fields) => {
    const { send, sink } = setup();
    const res = await send(path, JSON.stringify({ type, anonymousId: 'anon-1', userId: null, ...fields }), { 'content-type': 'text/plain' });
    expect(await res.json()).toEqual({ success: true, accepted: 1, rejected: [] });
    expect(sink.events.map((row) => row.type)).toEqual([type]);
  });

  it('/v1/b takes a batch with the write key in the body, as batching delivery sends it', async () => {
    const { collector, sink } = setup();
    const res = await collector.fetch(
      new Request('http://collector.test/v1/b', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ writeKey: KEY, batch: [track(), track()], sentAt: new Date().toISOString() }) }),
    );
    expect((await res.json()).accepted).toBe(2);
    expect(sink.events).toHaveLength(2);
  });

  it('answers the CORS preflight on every POST path, /v1/m included', async () => {
    const { collector } = setup();
    expect(POST_PATHS).toEqual(expect.arrayContaining(['/v1/t', '/v1/p', '/v1/i', '/v1/s', '/v1/g', '/v1/a', '/v1/b', '/v1/m', '/beacon/v1/batch']));
    for (const path of POST_PATHS) {
      const res = await collector.fetch(
        new Request(`http://collector.test${path}`, {
          method: 'OPTIONS',
          headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization,x-retry-count' },
        }),
      );
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      expect(res.headers.get('access-control-allow-headers')).toBe('content-type,authorization,x-retry-count');
    }
  });

  it('answers /v1/m with 200 and counts it, storing nothing and needing no key', async () => {
    const { collector, sink } = setup();
    const series = [{ type: 'Counter', metric: 'analytics_js.invoke.track', value: 1, tags: { library: 'analytics.js' } }];
    const res = await collector.fetch(
      new Request('http://collector.test/v1/m', { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://shop.example' }, body: JSON.stringify({ series }) }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    await collector.fetch(new Request('http://collector.test/v1/m', { method: 'POST', body: 'not json' }));
    expect(sink.writes).toHaveLength(0);
    const text = await collector.metrics.text();
    expect(text).toMatch(/sluice_client_metrics_reports_total 2/);
    expect(text).toMatch(/sluice_client_metrics_series_total 1/);
  });
});

describe('bodies: JSON whatever the declared type, unless msgpack', () => {
  it.each([
    ['application/x-www-form-urlencoded', true], // RudderStack's Node SDK (axios's default for a Buffer), gzipped
    ['application/x-www-form-urlencoded', false],
    ['text/plain;charset=UTF-8', false],
    ['application/json; charset=utf-8', false],
    ['application/json; charset=latin1', false],
    ['application/octet-stream', false],
    [undefined, false],
  ])('reads JSON sent as %s (gzip: %s)', async (type, gzip) => {
    const { send, sink } = setup();
    const json = JSON.stringify({ batch: [track()] });
    const headers: Record<string, string> = { ...(type ? { 'content-type': type } : {}), ...(gzip ? { 'content-encoding': 'gzip' } : {}) };
    const res = await send('/v1/batch', gzip ? new Uint8Array(gzipSync(json)) : json, headers);
    expect(res.status).toBe(200);
    expect(sink.events).toHaveLength(1);
  });

  it('answers a real form body with a 415 that says to send JSON', async () => {
    const { send, sink } = setup();
    const res = await send('/v1/batch', 'a=1&b=2', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('unsupported_media_type');
    expect(body.message).toMatch(/form .*not JSON; send the events as one JSON object/);
    expect(sink.events).toHaveLength(0);
  });

  it('skips a UTF-8 byte-order mark', async () => {
    const { send, sink } = setup();
    expect((await send('/v1/batch', `\uFEFF${JSON.stringify({ batch: [track()] })}`, { 'content-type': 'application/json' })).status).toBe(200);
    expect(sink.events).toHaveLength(1);
  });
});

describe('fields', () => {
  it('stores anonymous events with "userId": null under their anonymousId and an empty user_id', async () => {
    const { send, sink } = setup();
    await send('/v1/p', JSON.stringify({ type: 'page', userId: null, anonymousId: 'anon-9', properties: { path: '/' }, context: { page: null }, integrations: null }));
    expect(sink.events[0]).toMatchObject({ user_id: '', anonymous_id: 'anon-9', distinct_id: 'anon-9', page_path: '/' });
  });

  it('keeps extra top-level fields in context, drops _metadata, writeKey and integrations', async () => {
    const { send, sink } = setup();
    const event = track({ channel: 'server', rudderId: 'r-1', version: 2, _metadata: { nodeVersion: '20' }, writeKey: KEY, integrations: { All: true }, context: { channel: 'web' } });
    await send('/v1/batch', JSON.stringify({ batch: [event] }));
    const context = sink.events[0]!.context;
    expect(context).toMatchObject({ channel: 'web', rudderId: 'r-1', version: 2 });
    expect(context).not.toHaveProperty('_metadata');
    expect(context).not.toHaveProperty('writeKey');
    expect(context).not.toHaveProperty('integrations');
  });

  it('keeps the category of a page in context', async () => {
    const { send, sink } = setup();
    await send('/v1/p', JSON.stringify({ type: 'page', anonymousId: 'a', name: 'Pricing', category: 'Docs' }));
    expect(sink.events[0]).toMatchObject({ event: 'Pricing', context: { category: 'Docs' } });
  });

  it('stores identify traits sent only in context.traits in traits', async () => {
    const { send, sink } = setup();
    await send('/v1/i', JSON.stringify({ type: 'identify', userId: 'u-1', context: { traits: { email: 'a@x.test' } } }));
    expect(sink.events[0]!.traits).toEqual({ email: 'a@x.test' });
  });
});

describe('rejections are visible', () => {
  function recordingLogger() {
    const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg: msg ?? '' }) };
    return { logger, warnings };
  }

  it('counts them per project, key and reason in /metrics, never showing the key', async () => {
    const { send, collector } = setup();
    await send('/v1/batch', JSON.stringify({ batch: [{ type: 'track', anonymousId: 'a' }, { type: 'track', event: 'x' }, { type: 'track', anonymousId: 'a' }, track()] }));
    const text = await collector.metrics.text();
    const key = keyFingerprint(KEY);
    expect(text).toContain(`sluice_events_rejected_total{project="proj",key="${key}",reason="missing_field"} 2`);
    expect(text).toContain(`sluice_events_rejected_total{project="proj",key="${key}",reason="missing_id"} 1`);
    expect(text).not.toContain(KEY);
  });

  it('logs one line per key and reason at most once per interval, with the count since the last line', async () => {
    const { logger, warnings } = recordingLogger();
    const { send, advance } = setup({ logger });
    const bad = JSON.stringify({ batch: [{ type: 'track', anonymousId: 'a' }] });
    await send('/v1/batch', bad);
    await send('/v1/batch', bad);
    await send('/v1/batch', JSON.stringify({ batch: [track({ anonymousId: null })] }));
    expect(warnings.map((w) => w.obj.reason)).toEqual(['missing_field', 'missing_id']);
    expect(warnings[0]!.msg).toMatch(/^1 event\(s\) rejected for project "proj" \(key [0-9a-f]{8}\), missing_field: a track needs an "event" name/);
    expect(warnings[0]!.msg).not.toContain('\n');
    advance(DEFAULTS.rejectionLogIntervalMs - 1);
    await send('/v1/batch', bad);
    expect(warnings).toHaveLength(2);
    advance(1);
    await send('/v1/batch', bad);
    expect(warnings).toHaveLength(3);
    expect(warnings[2]!.obj).toMatchObject({ reason: 'missing_field', rejected: 3 });
  });

  it('keeps the warning on one line when the reason quotes what the client sent', async () => {
    const { logger, warnings } = recordingLogger();
    const taxonomy = defineTaxonomy({ events: {}, unknownEvents: 'reject' });
    const { send, collector } = setup({ logger, taxonomy });
    await send('/v1/batch', JSON.stringify({ batch: [track({ event: 'Line one\nfake log line' })] }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/taxonomy: event "Line one fake log line" is not in the taxonomy/);
    expect(warnings[0]!.msg).not.toMatch(/[\r\n]/);
    expect(await collector.metrics.text()).toContain(`reason="taxonomy"} 1`);
  });
});
