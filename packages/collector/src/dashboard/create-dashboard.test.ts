import { describe, expect, it } from 'vitest';
import { createDashboard } from './create-dashboard';
import { cookieValue, SESSION_COOKIE } from './session';
import { parseViewState, viewQuery } from './view-state';

const client = { query: async () => ({ json: async () => [] }) } as never;

describe('dashboard read key', () => {
  it('refuses a short read key or one that is also a write key', () => {
    expect(() => createDashboard({ client, readKey: 'short' })).toThrow(/at least 8 characters/);
    expect(() => createDashboard({ client, readKey: 'same-key-1', writeKeys: ['same-key-1'] })).toThrow(/also a write key/);
    expect(() => createDashboard({ client })).toThrow(/needs a read key/);
  });

  it('shows a login form without a key, logs in by POST into an HttpOnly cookie, and keeps the key out of URLs', async () => {
    const handler = createDashboard({ client, readKey: 'read-key-1', now: () => Date.parse('2024-03-04T10:00:00Z') });
    const denied = await handler(new Request('http://x/dashboard?since=7d'));
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('Bearer');
    const form = await denied.text();
    expect(form).toContain('action="/dashboard/login"');
    expect(form).toContain('name="next" value="since=7d"');

    const wrong = await handler(new Request('http://x/dashboard/login', { method: 'POST', body: new URLSearchParams({ key: 'wrong-key-1', next: '' }) }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const login = await handler(new Request('http://x/dashboard/login', { method: 'POST', body: new URLSearchParams({ key: 'read-key-1', next: 'since=7d' }) }));
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/dashboard?since=7d');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/dashboard/);
    expect(cookie).not.toContain('read-key-1');
    const session = cookieValue(cookie.split(';')[0] ?? '', SESSION_COOKIE);

    const page = await handler(new Request('http://x/dashboard?since=7d', { headers: { cookie: `${SESSION_COOKIE}=${session}` } }));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
    const html = await page.text();
    expect(html).toContain('data-chart="live"');
    expect(html).not.toContain('read-key-1');

    // An old ?key= link logs in once and is redirected to the same view without the key.
    const legacy = await handler(new Request('http://x/dashboard?key=read-key-1&since=7d'));
    expect(legacy.status).toBe(303);
    expect(legacy.headers.get('location')).toBe('/dashboard?since=7d');

    expect((await handler(new Request('http://x/other'))).status).toBe(404);
    expect((await handler(new Request('http://x/dashboard', { method: 'PUT' }))).status).toBe(405);
    const live = await handler(new Request('http://x/dashboard/api/live', { headers: { authorization: 'Bearer read-key-1' } }));
    expect(((await live.json()) as { minutes: unknown[] }).minutes).toHaveLength(60);
    expect((await handler(new Request('http://x/dashboard/api/live'))).status).toBe(401);
  });

  it('keeps the view in the query string, and a login never redirects off the dashboard', async () => {
    const defaults = { since: '14d', steps: ['A'], window: '7d' };
    const view = parseViewState(new URLSearchParams('step=Signup&step=&step=Order&window=1d&by=user_id&breakdown=utm_source&from=2024-03-01&to=bad'), defaults);
    expect(view).toMatchObject({ steps: ['Signup', 'Order'], window: '1d', by: 'user_id', breakdown: 'utm_source', from: '2024-03-01', to: undefined });
    expect(parseViewState(new URLSearchParams(viewQuery(view)), defaults)).toEqual(view);
    expect(parseViewState(new URLSearchParams(''), defaults).steps).toEqual(['A']);
    const handler = createDashboard({ client, readKey: 'read-key-1' });
    const login = await handler(new Request('http://x/dashboard/login', { method: 'POST', body: new URLSearchParams({ key: 'read-key-1', next: '//evil.example/x' }) }));
    expect(login.headers.get('location')).toMatch(/^\/dashboard\?/);
  });
});
