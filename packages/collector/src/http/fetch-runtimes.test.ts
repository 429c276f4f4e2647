import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createMemorySink } from '../../test/support/http-memory-sink';
import { createCollector } from '../collector';

// The README's snippets for Fetch runtimes, run as written (with an in-memory sink).
describe('Fetch runtimes', () => {
  const body = JSON.stringify({ batch: [{ type: 'track', event: 'Hono', userId: 'u1' }] });
  const init = { method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body };

  it('mounts in a Hono app under /collect', async () => {
    const sink = createMemorySink();
    const collector = createCollector({ writeKeys: { k: 'web' }, basePath: '/collect', sink });
    const app = new Hono();
    app.all('/collect/*', (c) => collector.fetch(c.req.raw));
    app.get('/', (c) => c.text('home'));
    const res = await app.request('/collect/v1/batch', init);
    expect(await res.json()).toEqual({ success: true, accepted: 1, rejected: [] });
    expect(await (await app.request('/')).text()).toBe('home');
    expect(sink.events[0]?.event).toBe('Hono');
  });

  it('serves as a Next.js route handler (app/collect/[...path]/route.ts)', async () => {
    const sink = createMemorySink();
    const collector = createCollector({ writeKeys: { k: 'web' }, basePath: '/collect', sink });
    const POST = (request: Request) => collector.fetch(request);
    const OPTIONS = POST;
    const res = await POST(new Request('https://site.example/collect/v1/batch', init));
    expect(res.status).toBe(200);
    const preflight = await OPTIONS(new Request('https://site.example/collect/v1/batch', { method: 'OPTIONS', headers: { origin: 'https://site.example' } }));
    expect(preflight.status).toBe(204);
    expect(sink.events).toHaveLength(1);
  });
});
