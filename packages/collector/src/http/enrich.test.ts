import { describe, expect, it } from 'vitest';
import { applyIpPolicy, requestIp } from './client-ip';
import { createDedupe } from './dedupe';
import type { SluiceEvent } from '@sluice/schema';
import { boundedJson, correctTimestamp, toEventRow, withoutTypedKeys } from './enrich';
import { UUIDV7_PATTERN, uuidv7 } from './uuidv7';

const HOUR = 3_600_000;

describe('correctTimestamp', () => {
  const received = Date.UTC(2025, 0, 1);
  it('shifts event time by the client clock offset', () => {
    expect(correctTimestamp(received + 2 * HOUR - 1000, received + 2 * HOUR, received, 24 * HOUR)).toBe(received - 1000);
    expect(correctTimestamp(received - 3 * HOUR - 1000, received - 3 * HOUR, received, 24 * HOUR)).toBe(received - 1000);
  });
  it('places the event at receivedAt when the offset is beyond the bound', () => {
    expect(correctTimestamp(received - 50 * HOUR, received + 48 * HOUR, received, 24 * HOUR)).toBe(received);
  });
  it('never lands in the future and leaves time alone without sentAt', () => {
    expect(correctTimestamp(received + 1000, received, received, HOUR)).toBe(received);
    expect(correctTimestamp(received - 5000, undefined, received, HOUR)).toBe(received - 5000);
  });
});

describe('IP policy', () => {
  it.each([
    ['keep', '203.0.113.77', '203.0.113.77'],
    ['anonymize', '203.0.113.77', '203.0.113.0'],
    ['anonymize', '::ffff:203.0.113.77', '203.0.113.0'],
    ['anonymize', '2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    ['anonymize', '2001:0DB8::1', '2001:db8:0::'],
    ['anonymize', 'not-an-ip', undefined],
    ['drop', '203.0.113.77', undefined],
  ] as const)('%s %s → %s', (policy, ip, expected) => {
    expect(applyIpPolicy(ip, policy)).toBe(expected);
  });

  it('trusts X-Forwarded-For only when told to', () => {
    const headers = new Headers({ 'x-forwarded-for': '192.0.2.1, 10.0.0.2' });
    expect(requestIp(headers, '10.0.0.2', false)).toBe('10.0.0.2');
    expect(requestIp(headers, '10.0.0.2', true)).toBe('192.0.2.1');
  });
});

describe('uuidv7', () => {
  it('makes UUIDv7 ids that sort by time (the layout is tested in @sluice/schema/wire)', () => {
    const a = uuidv7(Date.UTC(2025, 0, 1));
    const b = uuidv7(Date.UTC(2025, 0, 1) + 1);
    expect(a).toMatch(UUIDV7_PATTERN);
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => uuidv7(1))).size).toBe(1000);
  });
});

describe('dedupe', () => {
  it('forgets the oldest ids beyond the window, and released ids', () => {
    const dedupe = createDedupe(3);
    expect(dedupe.claim('p', ['a', 'b', 'c', 'a'])).toEqual([false, false, false, true]);
    expect(dedupe.claim('p', ['d'])).toEqual([false]);
    expect(dedupe.claim('p', ['a', 'd'])).toEqual([false, true]);
    dedupe.release('p', ['d']);
    expect(dedupe.claim('p', ['d'])).toEqual([false]);
    expect(dedupe.claim('q', ['d'])).toEqual([false]);
  });
});

describe('boundedJson', () => {
  it('cuts at a character boundary within the byte bound', () => {
    const text = boundedJson({ s: 'é'.repeat(100) }, 51);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(51);
    expect(text).not.toContain('\ufffd');
    expect(boundedJson({ a: 1 }, 100)).toBe('{"a":1}');
  });
});

describe('context without what typed columns hold', () => {
  const ctx = { project: 'p', receivedAt: Date.UTC(2025, 0, 1), sentAt: undefined, requestIp: undefined, ipPolicy: 'keep', maxClockSkewMs: 3_600_000 } as const;

  it('moves page url/path/referrer, campaign source/medium/name, library, locale and sessionId to columns only', () => {
    const event = {
      type: 'track',
      event: 'Clicked',
      messageId: 'm1',
      anonymousId: 'a1',
      timestamp: Date.UTC(2025, 0, 1) - 1000,
      context: {
        page: { url: 'https://x.dev/a?b=1', path: '/a', referrer: 'https://g.com/', title: 'A', search: '?b=1' },
        campaign: { source: 'google', medium: 'cpc', name: 'spring', term: 'kw' },
        library: { name: 'sluice.js', version: '1.2.3' },
        locale: 'de-DE',
        sessionId: 1718000000,
        userAgent: 'UA',
        ip: '203.0.113.7',
      },
    } as unknown as SluiceEvent;
    const row = toEventRow(event, ctx);
    expect(row).toMatchObject({
      page_url: 'https://x.dev/a?b=1', page_path: '/a', referrer: 'https://g.com/',
      utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring',
      library_name: 'sluice.js', library_version: '1.2.3', locale: 'de-DE', session_id: '1718000000',
    });
    expect(row.context).toEqual({ page: { title: 'A', search: '?b=1' }, campaign: { term: 'kw' }, userAgent: 'UA', ip: '203.0.113.7' });
    expect(event.context).toHaveProperty('locale', 'de-DE'); // the input is not mutated
  });

  it('keeps values a column cannot hold, and returns the same object when nothing moves', () => {
    const odd = { page: { url: { nested: true } }, locale: ['en'], sessionId: null, campaign: 'x', library: null };
    expect(withoutTypedKeys(odd)).toBe(odd);
    const plain = { userAgent: 'UA' };
    expect(withoutTypedKeys(plain)).toBe(plain);
    expect(withoutTypedKeys({ library: { name: 'n', version: 'v' }, page: { path: '/' } })).toEqual({});
  });
});
