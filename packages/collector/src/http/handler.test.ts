import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { createMemorySink, type MemorySink } from '../../test/support/http-memory-sink';
import { createCollector, type CollectorOptions } from '../collector';
import { DEFAULTS } from '../defaults';
import { CollectorError, STATUS_BY_CODE } from '../errors';
import { UUIDV7_PATTERN } from './uuidv7';

const NOW = Date.UTC(2025, 4, 1, 12, 0, 0);
const KEY = 'wk_test';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function setup(options: Partial<CollectorOptions> = {}) {
  const sink = createMemorySink();
  const collector = createCollector({ writeKeys: { [KEY]: 'proj' }, sink, now: () => NOW, ...options });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    collector.fetch(
      new Request(`http://collector.test${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(KEY), ...headers },
        body: (typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)) as BodyInit,
      }),
      { remoteAddress: '203.0.113.77' },
    );
  return { sink, collector, post };
}

const track = (extra: Record<string, unknown> = {}) => ({ type: 'track', event: 'Signed Up', userId: 'u1', ...extra });

async function expectError(response: Response, status: number, code: string, mentions: RegExp) {
  expect(response.status).toBe(status);
  expect(STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE]).toBe(status);
  const body = (await response.json()) as { success: boolean; code: string; message: string };
  expect(body).toEqual({ success: false, code, message: expect.any(String) });
  expect(body.message).toMatch(mentions);
  return body;
}

describe('POST /v1/batch', () => {
  it('accepts valid events, reports and quarantines invalid ones', async () => {
    const { post, sink } = setup();
    const res = await post('/v1/batch', {
      batch: [track({ messageId: 'm1' }), { type: 'track', userId: 'u1', messageId: 'bad-1' }, { type: 'nope' }],
      sentAt: new Date(NOW).toISOString(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body).toEqual({
      success: true,
      accepted: 1,
      rejected: [
        { index: 1, messageId: 'bad-1', reason: expect.stringMatching(/event/), path: 'event', code: 'missing_field' },
        { index: 2, messageId: null, reason: expect.stringMatching(/type must be one of/), path: 'type', code: 'invalid_type' },
      ],
    });
    expect(sink.events.map((row) => [row.project, row.message_id, row.event])).toEqual([['proj', 'm1', 'Signed Up']]);
    expect(sink.quarantine).toHaveLength(2);
    expect(sink.quarantine[0]).toMatchObject({ project: 'proj', message_id: 'bad-1', path: 'event', received_at: NOW });
    expect(JSON.parse(sink.quarantine[0]!.raw)).toEqual({ type: 'track', userId: 'u1', messageId: 'bad-1' });
  });

  it("quarantines a rejected event with the batch's shared context merged under its own", async () => {
    const { post, sink } = setup();
    const res = await post('/v1/batch', {
      batch: [
        track({ messageId: 'ok-1' }),
        { type: 'track', userId: 'u1', messageId: 'bad-ctx', context: { locale: 'de-DE', app: { name: 'mine' } } },
        { type: 'track', userId: 'u1', messageId: 'bad-plain' },
      ],
      context: { app: { name: 'shop', version: '2.1.0' }, library: { name: '@sluice/sdk-node', version: '0.1.0' } },
    });
    expect((await res.json()).accepted).toBe(1);
    expect(sink.events[0]?.library_name).toBe('@sluice/sdk-node');
    const raw = Object.fromEntries(sink.quarantine.map((row) => [row.message_id, JSON.parse(row.raw) as Record<string, unknown>]));
    expect(raw['bad-ctx']?.context).toEqual({ app: { name: 'mine' }, library: { name: '@sluice/sdk-node', version: '0.1.0' }, locale: 'de-DE' });
    expect(raw['bad-plain']).toEqual({
      type: 'track',
      userId: 'u1',
      messageId: 'bad-plain',
      context: { app: { name: 'shop', version: '2.1.0' }, library: { name: '@sluice/sdk-node', version: '0.1.0' } },
    });
  });

  it('writes nothing and answers 200 with accepted 0 when every event is invalid', async () => {
    const { post, sink } = setup();
    const res = await post('/v1/batch', { batch: [{ type: 'track' }] });
    expect(res.status).toBe(200);
    expect((await res.json()).accepted).toBe(0);
    expect(sink.events).toHaveLength(0);
    expect(sink.quarantine).toHaveLength(1);
  });

  it('answers 413 for more events than the protocol allows', async () => {
    const { post } = setup();
    const batch = Array.from({ length: 2001 }, () => ({ type: 'track' }));
    await expectError(await post('/v1/batch', { batch }), 413, 'payload_too_large', /smaller batches/);
  });
});

describe('single-event endpoints', () => {
  it.each([
    ['track', { event: 'Clicked', properties: { a: 1 } }, 'Clicked'],
    ['page', { name: 'Home' }, 'Home'],
    ['screen', { name: 'Settings' }, 'Settings'],
    ['identify', { traits: { plan: 'pro' } }, ''],
    ['group', { groupId: 'g1' }, ''],
    ['alias', { previousId: 'anon-1' }, ''],
  ])('POST /v1/%s stores the event with its type', async (type, fields, event) => {
    const { post, sink } = setup();
    const res = await post(`/v1/${type}`, { userId: 'u1', ...fields });
    expect(await res.json()).toEqual({ success: true, accepted: 1, rejected: [] });
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({ type, event, user_id: 'u1', distinct_id: 'u1' });
  });

  it('rejects an event whose type does not match the endpoint', async () => {
    const { post, sink } = setup();
    const body = await (await post('/v1/track', { type: 'page', userId: 'u1' })).json();
    expect(body.accepted).toBe(0);
    expect(body.rejected[0].reason).toMatch(/send it to \/v1\/page/);
    expect(sink.quarantine).toHaveLength(1);
  });

  it('answers 400 when the body is not one object', async () => {
    const { post } = setup();
    await expectError(await post('/v1/track', [track()]), 400, 'invalid_body', /\/v1\/batch/);
  });
});

describe('bodies', () => {
  const batch = { batch: [track({ messageId: 'enc' })] };
  const json = Buffer.from(JSON.stringify(batch));

  it.each([
    ['gzip', gzipSync(json)],
    ['deflate', deflateSync(json)],
    ['br', brotliCompressSync(json)],
  ])('decodes Content-Encoding %s', async (encoding, bytes) => {
    const { post, sink } = setup();
    const res = await post('/v1/batch', new Uint8Array(bytes), { 'content-encoding': encoding });
    expect(res.status).toBe(200);
    expect(sink.events.map((row) => row.message_id)).toEqual(['enc']);
  });

  it('decodes msgpack', async () => {
    const { post, sink } = setup();
    const res = await post('/v1/batch', new Uint8Array(pack(batch)), { 'content-type': 'application/msgpack' });
    expect(res.status).toBe(200);
    expect(sink.events[0]?.message_id).toBe('enc');
  });

  it('decodes gzip-compressed msgpack', async () => {
    const { post, sink } = setup();
    const res = await post('/v1/batch', new Uint8Array(gzipSync(pack(batch))), { 'content-type': 'application/msgpack', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(sink.events).toHaveLength(1);
  });

  it('accepts a beacon: text/plain JSON with the write key in the body and no Authorization', async () => {
    const { post, sink } = setup();
    const res = await post('/v1/batch', JSON.stringify({ ...batch, writeKey: KEY }), { 'content-type': 'text/plain;charset=UTF-8', authorization: '' });
    expect(res.status).toBe(200);
    expect(sink.events[0]?.project).toBe('proj');
  });

  it('answers 400 for invalid JSON, invalid UTF-8, an empty body and a body that is not a batch', async () => {
    const { post } = setup();
    await expectError(await post('/v1/batch', '{"batch": ['), 400, 'invalid_body', /not valid JSON/);
    await expectError(await post('/v1/batch', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])), 400, 'invalid_body', /UTF-8/);
    await expectError(await post('/v1/batch', ''), 400, 'invalid_body', /empty/);
    await expectError(await post('/v1/batch', '[1,2]'), 400, 'invalid_body', /batch/);
    await expectError(await post('/v1/batch', { events: [] }), 400, 'invalid_body', /"batch" array/);
  });

  it('answers 400 for msgpack that declares absurd lengths, without allocating them', async () => {
    const { post } = setup();
    const mp = { 'content-type': 'application/msgpack' };
    const before = process.memoryUsage().rss;
    await expectError(await post('/v1/batch', new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xf0, 0xc0]), mp), 400, 'invalid_body', /declares 4294967280 items/);
    await expectError(await post('/v1/batch', new Uint8Array([0xdb, 0xff, 0xff, 0xff, 0xf0, 0x41]), mp), 400, 'invalid_body', /string of 4294967280 bytes/);
    await expectError(await post('/v1/batch', new Uint8Array([0xdf, 0x7f, 0xff, 0xff, 0xff, 0xa1, 0x61]), mp), 400, 'invalid_body', /items/);
    const nils = new Uint8Array(400_000).fill(0xc0);
    nils.set([0xdd, 0x7f, 0xff, 0xff, 0xff]);
    await expectError(await post('/v1/batch', nils, mp), 400, 'invalid_body', /items/);
    expect(process.memoryUsage().rss - before).toBeLessThan(32 * 1024 * 1024);
    await expectError(await post('/v1/batch', new Uint8Array([0xd4, 0x05, 0x00]), mp), 400, 'invalid_body', /extension/);
    await expectError(await post('/v1/batch', new Uint8Array([0xa2, 0xff, 0xfe]), mp), 400, 'invalid_body', /UTF-8/);
    await expectError(await post('/v1/batch', new Uint8Array([...pack({ batch: [] }), 0x01]), mp), 400, 'invalid_body', /after the first value/);
  });

  it('answers 413 when Content-Length is over the limit, before reading the body', async () => {
    const { collector } = setup({ limits: { maxBodyBytes: 1000 } });
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(100));
      },
    });
    const res = await collector.fetch(
      new Request('http://x/v1/batch', { method: 'POST', headers: { authorization: basic(KEY), 'content-length': '5000' }, body, duplex: 'half' } as RequestInit),
    );
    await expectError(res, 413, 'payload_too_large', /fewer events/);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('answers 413 for a streamed body over the limit without Content-Length', async () => {
    const { collector } = setup({ limits: { maxBodyBytes: 10_000 } });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 4096;
        controller.enqueue(new Uint8Array(4096).fill(0x20));
      },
    });
    const res = await collector.fetch(new Request('http://x/v1/batch', { method: 'POST', headers: { authorization: basic(KEY) }, body, duplex: 'half' } as RequestInit));
    await expectError(res, 413, 'payload_too_large', /over 10000 bytes/);
    expect(sent).toBeLessThan(40_000);
  });

  it('refuses a gzip bomb with 413 early, with flat memory', async () => {
    const { post } = setup();
    const member = gzipSync(Buffer.alloc(10 * 1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 30 }, () => member)); // 300 MiB once inflated
    expect(bomb.length).toBeLessThan(DEFAULTS.maxBodyBytes);
    const before = process.memoryUsage().rss;
    const started = performance.now();
    await expectError(await post('/v1/batch', new Uint8Array(bomb), { 'content-encoding': 'gzip' }), 413, 'payload_too_large', /decompressed body is over/);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  it('answers 400 for a body that is not what its Content-Encoding says', async () => {
    const { post } = setup();
    await expectError(await post('/v1/batch', '{"batch":[]}', { 'content-encoding': 'gzip' }), 400, 'invalid_body', /not valid gzip/);
  });

  it.each([
    [{ 'content-encoding': 'zstd' }, /gzip, deflate or br/],
    [{ 'content-encoding': 'gzip, br' }, /gzip, deflate or br/],
  ])('answers 415 for %o', async (headers, mentions) => {
    const { post, sink } = setup();
    await expectError(await post('/v1/batch', { batch: [track()] }, headers), 415, 'unsupported_media_type', mentions);
    expect(sink.events).toHaveLength(0);
  });
});

describe('authentication', () => {
  const batch = { batch: [track()] };
  it.each([
    ['Basic', { authorization: basic(KEY) }, batch, ''],
    ['Basic without the colon', { authorization: `Basic ${Buffer.from(KEY).toString('base64')}` }, batch, ''],
    ['Bearer', { authorization: `Bearer ${KEY}` }, batch, ''],
    ['body writeKey', { authorization: '' }, { ...batch, writeKey: KEY }, ''],
    ['query writeKey', { authorization: '' }, batch, `?writeKey=${KEY}`],
  ])('accepts the key as %s', async (_name, headers, body, query) => {
    const { post, sink } = setup();
    const res = await post(`/v1/batch${query}`, body, headers);
    expect(res.status).toBe(200);
    expect(sink.events[0]?.project).toBe('proj');
  });

  it('uses the first source in DESIGN order', async () => {
    const { post, sink } = setup({ writeKeys: { [KEY]: 'proj', other: 'other-proj' } });
    await post('/v1/batch?writeKey=other', { ...batch, writeKey: 'other' }, { authorization: basic(KEY) });
    await post('/v1/batch?writeKey=other', { ...batch, writeKey: KEY }, { authorization: '' });
    expect(sink.events.map((row) => row.project)).toEqual(['proj', 'proj']);
  });

  it('answers 401 for a missing key, saying how to send one', async () => {
    const { post, sink } = setup();
    await expectError(await post('/v1/batch', batch, { authorization: '' }), 401, 'unauthorized', /Authorization: Basic/);
    expect(sink.events).toHaveLength(0);
  });

  it('answers 401 for an unknown key, saying how to add it, before reading the body', async () => {
    const { post } = setup();
    const body = await expectError(await post('/v1/batch', 'not json at all', { authorization: basic('nope') }), 401, 'unauthorized', /--write-key nope=PROJECT/);
    expect(body.message).toMatch(/write key "nope" is unknown/);
  });

  it('does not echo a long unknown key in full', async () => {
    const { post } = setup();
    const secret = 'sk_live_abcdefghijklmnopqrstuvwxyz';
    const body = await expectError(await post('/v1/batch', batch, { authorization: `Bearer ${secret}` }), 401, 'unauthorized', /--write-key KEY=PROJECT/);
    expect(body.message).not.toContain(secret);
  });

  it('answers 401 for a malformed Authorization header', async () => {
    const { post } = setup();
    await expectError(await post('/v1/batch', batch, { authorization: 'Digest abc' }), 401, 'unauthorized', /Bearer writeKey/);
  });

  it('tells an operator with no keys to add one', async () => {
    const { post } = setup({ writeKeys: {} });
    await expectError(await post('/v1/batch', batch, { authorization: '' }), 401, 'unauthorized', /--write-key KEY=PROJECT/);
  });

  it('supports an async lookup function', async () => {
    const { post, sink } = setup({ writeKeys: async (key) => (key === 'dyn' ? { project: 'dynamic' } : undefined) });
    expect((await post('/v1/batch', batch, { authorization: 'Bearer dyn' })).status).toBe(200);
    expect((await post('/v1/batch', batch, { authorization: 'Bearer x' })).status).toBe(401);
    expect(sink.events.map((row) => row.project)).toEqual(['dynamic']);
  });
});

describe('CORS', () => {
  const preflight = (collector: ReturnType<typeof setup>['collector'], origin: string, path = '/v1/batch') =>
    collector.fetch(new Request(`http://x${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' } }));

  it('answers preflights on every endpoint, echoing the origin', async () => {
    const { collector } = setup();
    for (const path of ['/v1/batch', '/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias']) {
      const res = await preflight(collector, 'https://app.example', path);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
      expect(res.headers.get('vary')).toBe('Origin');
    }
  });

  it('limits origins to the configured list, with wildcards', async () => {
    const { collector, post } = setup({ cors: ['https://app.example', 'https://*.example.org'] });
    expect((await preflight(collector, 'https://app.example')).status).toBe(204);
    expect((await preflight(collector, 'https://a.example.org')).status).toBe(204);
    await expectError(await preflight(collector, 'https://evil.test'), 403, 'forbidden_origin', /--cors https:\/\/evil.test/);
    await expectError(await post('/v1/batch', { batch: [track()] }, { origin: 'https://evil.test' }), 403, 'forbidden_origin', /--cors/);
    const ok = await post('/v1/batch', { batch: [track()] }, { origin: 'https://app.example' });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('enforces a per-write-key allow-list', async () => {
    const { collector, post, sink } = setup({ writeKeys: { [KEY]: { project: 'proj', origins: ['https://shop.example'] }, open: 'p2' }, cors: [] });
    expect((await preflight(collector, 'https://shop.example')).status).toBe(204);
    expect((await post('/v1/batch', { batch: [track()] }, { origin: 'https://shop.example' })).status).toBe(200);
    await expectError(await post('/v1/batch', { batch: [track()] }, { origin: 'https://other.example' }), 403, 'forbidden_origin', /allow-list of this write key/);
    expect(sink.events).toHaveLength(1);
  });

  it('lets a browser read error responses', async () => {
    const { post } = setup();
    const res = await post('/v1/batch', '{', { origin: 'https://app.example' });
    expect(res.status).toBe(400);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });
});

describe('enrichment', () => {
  it('corrects clock skew, keeps the original time, generates UUIDv7 ids and anonymises the IP', async () => {
    const { post, sink } = setup();
    const clientNow = NOW + 3_600_000; // client clock one hour fast
    await post('/v1/batch', {
      sentAt: new Date(clientNow).toISOString(),
      batch: [
        {
          type: 'page',
          name: 'Pricing',
          anonymousId: 'a1',
          timestamp: new Date(clientNow - 5_000).toISOString(),
          context: {
            sessionId: 42,
            locale: 'fr-FR',
            page: { url: 'https://x.test/pricing?a=1', path: '/pricing', referrer: 'https://google.com' },
            campaign: { source: 'news', medium: 'email', name: 'spring' },
            library: { name: 'sluice-browser', version: '1.2.3' },
          },
          properties: { plan: 'pro' },
        },
      ],
    });
    const row = sink.events[0]!;
    expect(row).toMatchObject({
      project: 'proj',
      type: 'page',
      event: 'Pricing',
      user_id: '',
      anonymous_id: 'a1',
      distinct_id: 'a1',
      session_id: '42',
      timestamp: NOW - 5_000,
      original_timestamp: clientNow - 5_000,
      sent_at: clientNow,
      received_at: NOW,
      page_url: 'https://x.test/pricing?a=1',
      page_path: '/pricing',
      referrer: 'https://google.com',
      utm_source: 'news',
      utm_medium: 'email',
      utm_campaign: 'spring',
      locale: 'fr-FR',
      library_name: 'sluice-browser',
      library_version: '1.2.3',
      properties: { plan: 'pro' },
    });
    expect(row.message_id).toMatch(UUIDV7_PATTERN);
    expect(row.context.ip).toBe('203.0.113.0');
  });

  it.each([
    ['keep', '203.0.113.77'],
    ['anonymize', '203.0.113.0'],
    ['drop', undefined],
  ] as const)('applies ipPolicy %s', async (ipPolicy, expected) => {
    const { post, sink } = setup({ ipPolicy });
    await post('/v1/track', track());
    expect(sink.events[0]!.context.ip).toBe(expected);
  });

  it('prefers context.ip, and reads X-Forwarded-For only when the proxy is trusted', async () => {
    const a = setup();
    await a.post('/v1/track', track({ context: { ip: '198.51.100.9' } }), { 'x-forwarded-for': '192.0.2.5' });
    await a.post('/v1/track', track(), { 'x-forwarded-for': '192.0.2.5' });
    expect(a.sink.events.map((row) => row.context.ip)).toEqual(['198.51.100.0', '203.0.113.0']);
    const b = setup({ trustProxy: true, ipPolicy: 'keep' });
    await b.post('/v1/track', track(), { 'x-forwarded-for': '192.0.2.5, 10.0.0.1' });
    expect(b.sink.events[0]!.context.ip).toBe('192.0.2.5');
  });
});

describe('dedupe', () => {
  it('stores a re-sent messageId once but still counts it as accepted', async () => {
    const { post, sink, collector } = setup();
    const body = { batch: [track({ messageId: 'dup-1' }), track({ messageId: 'dup-2' })] };
    expect((await (await post('/v1/batch', body)).json()).accepted).toBe(2);
    expect((await (await post('/v1/batch', body)).json()).accepted).toBe(2);
    expect((await (await post('/v1/track', track({ messageId: 'dup-1' }))).json()).accepted).toBe(1);
    expect(sink.events.map((row) => row.message_id)).toEqual(['dup-1', 'dup-2']);
    expect(await collector.metrics.text()).toMatch(/sluice_events_total\{outcome="deduplicated"\} 3/);
  });

  it('drops a duplicate inside one batch', async () => {
    const { post, sink } = setup();
    await post('/v1/batch', { batch: [track({ messageId: 'same' }), track({ messageId: 'same' })] });
    expect(sink.events).toHaveLength(1);
  });

  it('keeps ids apart per project', async () => {
    const { post, sink } = setup({ writeKeys: { [KEY]: 'a', k2: 'b' } });
    await post('/v1/track', track({ messageId: 'x' }));
    await post('/v1/track', track({ messageId: 'x' }), { authorization: 'Bearer k2' });
    expect(sink.events.map((row) => row.project)).toEqual(['a', 'b']);
  });
});

describe('backpressure and failures', () => {
  it('answers 503 with Retry-After when the sink is overloaded, acknowledging nothing; the retry is stored', async () => {
    const { post, sink } = setup();
    sink.overloaded = true;
    const body = { batch: [track({ messageId: 'r1' }), track({ messageId: 'r2' })] };
    const res = await post('/v1/batch', body);
    await expectError(res, 503, 'overloaded', /retry/);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(sink.events).toHaveLength(0);
    sink.overloaded = false;
    expect((await (await post('/v1/batch', body)).json()).accepted).toBe(2);
    expect(sink.events.map((row) => row.message_id)).toEqual(['r1', 'r2']);
  });

  it('answers 429 with Retry-After when the sink rate-limits', async () => {
    const { post, sink } = setup();
    sink.failWith = new CollectorError('rate_limited', 'project over its rate; slow down', { retryAfterSeconds: 3 });
    const res = await post('/v1/batch', { batch: [track()] });
    await expectError(res, 429, 'rate_limited', /slow down/);
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('answers 400 when the body stream breaks mid-way', async () => {
    const { collector } = setup();
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) controller.error(new Error('socket reset'));
        else controller.enqueue(new TextEncoder().encode('{"batch":['));
        sent = true;
      },
    });
    const res = await collector.fetch(new Request('http://x/v1/batch', { method: 'POST', headers: { authorization: basic(KEY) }, body, duplex: 'half' } as RequestInit));
    await expectError(res, 400, 'invalid_body', /could not be read \(socket reset\)/);
  });

  it('answers 503 with Retry-After when the sink fails with an unknown error', async () => {
    const { post, sink } = setup();
    sink.failWith = new Error('socket hang up');
    const res = await post('/v1/batch', { batch: [track()] });
    await expectError(res, 503, 'unavailable', /socket hang up.*retry later/);
    expect(res.headers.get('retry-after')).toBe(String(DEFAULTS.retryAfterSeconds));
  });

  it('answers 503 while shutting down, after draining and closing the sink', async () => {
    const { post, sink, collector } = setup();
    await collector.close();
    expect(sink.closed).toBe(true);
    const res = await post('/v1/batch', { batch: [track()] });
    await expectError(res, 503, 'unavailable', /shutting down/);
    expect(res.headers.get('retry-after')).toBeTruthy();
  });

  it('never throws out of fetch, whatever arrives', async () => {
    const { collector } = setup();
    const inputs: Request[] = [
      new Request('http://x/v1/batch', { method: 'POST', body: '\u0000\u0001' }),
      new Request('http://x/v1/batch', { method: 'POST', headers: { authorization: 'Basic !!!' }, body: '{}' }),
      new Request('http://x/v1/batch', { method: 'POST', headers: { authorization: basic(KEY) }, body: JSON.stringify({ batch: [{ __proto__: { x: 1 } }] }) }),
      new Request('http://x/v1/batch', { method: 'POST', headers: { authorization: basic(KEY) }, body: `{"batch":[${'['.repeat(5000)}${']'.repeat(5000)}]}` }),
      new Request('http://x/v1/batch', { method: 'POST', headers: { authorization: basic(KEY) }, body: JSON.stringify({ batch: [track({ properties: { s: 'x'.repeat(100_000) } })] }) }),
    ];
    for (const request of inputs) {
      const res = await collector.fetch(request);
      expect(res.status, await res.clone().text()).toBeLessThan(500);
      await res.json();
    }
  });
});

describe('routes', () => {
  it('answers 404 for unknown paths, listing the endpoints', async () => {
    const { collector } = setup();
    await expectError(await collector.fetch(new Request('http://x/v2/batch', { method: 'POST' })), 404, 'not_found', /POST \/v1\/batch/);
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const { collector } = setup();
    const res = await collector.fetch(new Request('http://x/v1/batch'));
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
    await expectError(res, 405, 'method_not_allowed', /use POST/);
  });

  it('serves under a basePath', async () => {
    const { post, sink } = setup({ basePath: '/collect/' });
    expect((await post('/collect/v1/track', track())).status).toBe(200);
    expect((await post('/v1/track', track())).status).toBe(404);
    expect(sink.events).toHaveLength(1);
  });

  it('serves /health, /ready and /metrics', async () => {
    const { collector, post, sink } = setup();
    await post('/v1/batch', { batch: [track(), { type: 'track' }] });
    expect(await (await collector.fetch(new Request('http://x/health'))).json()).toEqual({ status: 'ok' });
    await collector.ready();
    expect((await collector.fetch(new Request('http://x/ready'))).status).toBe(200);
    sink.overloaded = true;
    const notReady = await collector.fetch(new Request('http://x/ready'));
    await expectError(notReady, 503, 'unavailable', /ClickHouse is unreachable/);
    const metrics = await collector.fetch(new Request('http://x/metrics'));
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(/sluice_http_requests_total\{route="\/v1\/batch",status="200"\} 1/);
    expect(text).toMatch(/sluice_http_requests_total\{route="\/ready",status="503"\} 1/);
    expect(text).toMatch(/sluice_events_total\{outcome="accepted"\} 1/);
    expect(text).toMatch(/sluice_events_total\{outcome="rejected"\} 1/);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After from the bucket, per write key, and stores nothing of the refused request', async () => {
    let now = NOW;
    const sink = createMemorySink();
    const collector = createCollector({ writeKeys: { [KEY]: 'proj', other: 'proj2' }, sink, now: () => now, rateLimit: { eventsPerSecond: 5, burst: 10 } });
    const post = (key: string, count: number, prefix: string) =>
      collector.fetch(
        new Request('http://collector.test/v1/batch', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: basic(key) },
          body: JSON.stringify({ batch: Array.from({ length: count }, (_, i) => track({ messageId: `${prefix}-${i}` })) }),
        }),
      );
    expect((await post(KEY, 10, 'a')).status).toBe(200);
    const refused = await post(KEY, 4, 'b');
    const body = await expectError(refused, 429, 'rate_limited', /5 events\/s .*retry after 1 s/);
    expect(body.success).toBe(false);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await post('other', 10, 'c')).status).toBe(200); // its own bucket
    now += 1_000;
    expect((await post(KEY, 4, 'b')).status).toBe(200);
    expect(sink.events.map((e) => e.message_id).filter((id) => id.startsWith('b-'))).toHaveLength(4);
  });
});
