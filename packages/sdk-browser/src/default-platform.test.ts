import { afterEach, describe, expect, it } from 'vitest';
import { parseBatch, type WireBatch } from '@sluice/schema';
import { createAnalytics } from './index';

// No platform injected except fetch: the SDK reads happy-dom's window, document, navigator,
// localStorage, cookies and real timers, as it would in a browser.
describe('the default platform (happy-dom globals)', () => {
  afterEach(() => {
    localStorage.clear();
    document.cookie = 'sluice_aid=; max-age=0; path=/';
  });

  it('reads page context from the globals and persists to the real localStorage and cookies', async () => {
    (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL('https://app.example/pricing?utm_source=ads');
    document.title = 'Pricing';
    const bodies: WireBatch[] = [];
    const fetch = async (_: string, init: RequestInit) => {
      bodies.push(JSON.parse(init.body as string));
      return new Response('{"success":true,"accepted":1,"rejected":[]}');
    };
    const a = createAnalytics({ writeKey: 'k', endpoint: 'https://c.example', persistence: 'cookie', compression: false, flushIntervalMs: 60_000, platform: { fetch } });
    a.track('Viewed');
    await a.flush();
    const parsed = parseBatch(bodies[0]); // as the collector reads it
    if (!parsed.success) throw new Error(parsed.message);
    const [page, viewed] = parsed.events.map(({ event }) => event);
    expect(page).toMatchObject({ type: 'page', properties: { path: '/pricing', title: 'Pricing' } });
    expect(viewed!.context).toMatchObject({ page: { url: 'https://app.example/pricing?utm_source=ads', title: 'Pricing' }, campaign: { source: 'ads' } });
    expect(viewed!.context!.userAgent).toBe(navigator.userAgent);
    expect(document.cookie).toContain(`sluice_aid=${viewed!.anonymousId}`);
    expect(localStorage.getItem('sluice:k:s')).toContain(String(viewed!.context!.sessionId));
  });
});
