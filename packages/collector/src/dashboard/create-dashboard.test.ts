import { describe, expect, it } from 'vitest';
import { createDashboard } from './create-dashboard';
import { presentedKey, sameKey } from './read-key';

const client = { query: async () => ({ json: async () => [] }) } as never;

describe('dashboard read key', () => {
  it('reads Bearer first, then ?key=', () => {
    const url = new URL('http://x/dashboard?key=from-query');
    expect(presentedKey(new Request(url, { headers: { authorization: 'Bearer from-header' } }), url)).toBe('from-header');
    expect(presentedKey(new Request(url), url)).toBe('from-query');
    const bare = new URL('http://x/dashboard');
    expect(presentedKey(new Request(bare), bare)).toBeUndefined();
    expect(sameKey('abcdefgh', 'abcdefgh')).toBe(true);
    expect(sameKey('abcdefg', 'abcdefgh')).toBe(false);
    expect(sameKey('abcdefghi', 'abcdefgh')).toBe(false);
  });

  it('refuses a short read key or one that is also a write key', () => {
    expect(() => createDashboard({ client, readKey: 'short' })).toThrow(/at least 8 characters/);
    expect(() => createDashboard({ client, readKey: 'same-key-1', writeKeys: ['same-key-1'] })).toThrow(/also a write key/);
    expect(() => createDashboard({ client, readKey: 'read-key-1', database: 'a-b' })).toThrow(/not a plain ClickHouse name/);
  });

  it('answers 401 with what to do, 404 elsewhere, 405 for writes, and serves the page with the key', async () => {
    const handler = createDashboard({ client, readKey: 'read-key-1', now: () => Date.parse('2024-03-04T10:00:00Z') });
    const denied = await handler(new Request('http://x/dashboard'));
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('Bearer');
    expect(((await denied.json()) as { message: string }).message).toMatch(/\/dashboard\?key=<read key>/);
    expect((await handler(new Request('http://x/dashboard?key=wrong-key-1'))).status).toBe(401);
    expect((await handler(new Request('http://x/other?key=read-key-1'))).status).toBe(404);
    expect((await handler(new Request('http://x/dashboard?key=read-key-1', { method: 'POST' }))).status).toBe(405);
    const page = await handler(new Request('http://x/dashboard/?key=read-key-1'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
    const html = await page.text();
    expect(html).toContain('data-chart="live"');
    expect(html).toContain('No funnel configured');
    const live = await handler(new Request('http://x/dashboard/api/live', { headers: { authorization: 'Bearer read-key-1' } }));
    expect(((await live.json()) as { minutes: unknown[] }).minutes).toHaveLength(60);
  });
});
