import { createAnalytics } from '@sluice/sdk-node';
import type { AnalyticsOptions } from '@sluice/sdk-node';

/** Cloudflare's per-request context; Vercel's `waitUntil` from `@vercel/functions` has the same shape. */
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

const identityOf = (request: Request) => {
  const userId = request.headers.get('x-user-id');
  return userId ? { userId } : { anonymousId: request.headers.get('x-anonymous-id') ?? 'anonymous' };
};

/**
 * Cloudflare Workers style: `ctx` exists per request, so hand the flush to `ctx.waitUntil` yourself.
 * The response goes out at once; the platform keeps the isolate alive until the flush settles.
 */
export function createWorker(options: AnalyticsOptions) {
  const analytics = createAnalytics({ flushIntervalMs: 60_000, retry: { attempts: 2, baseMs: 100, capMs: 500 }, timeoutMs: 2_000, ...options });
  return {
    analytics,
    async fetch(request: Request, _env: unknown, ctx: ExecutionContext): Promise<Response> {
      analytics.track({ event: 'Page Requested', ...identityOf(request), properties: { path: new URL(request.url).pathname } });
      ctx.waitUntil(analytics.flush());
      return new Response('ok');
    },
  };
}

/**
 * Vercel style: `waitUntil` is a module-level function (`import { waitUntil } from '@vercel/functions'`),
 * so give it to the SDK once; every synchronous run of calls then hands its own flush to it.
 */
export function createVercelHandler(options: AnalyticsOptions & { waitUntil: (promise: Promise<unknown>) => void }) {
  const analytics = createAnalytics({ flushIntervalMs: 60_000, retry: { attempts: 2, baseMs: 100, capMs: 500 }, timeoutMs: 2_000, ...options });
  const GET = (request: Request): Response => {
    analytics.track({ event: 'Page Requested', ...identityOf(request), properties: { path: new URL(request.url).pathname } });
    return new Response('ok');
  };
  return { analytics, GET };
}
