import type { WireEvent } from '@sluice/schema';
import type { Stats } from './tab-queue';

export interface TransportOptions {
  url: string;
  writeKey: string;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  now: () => number;
  compressMinBytes: number | false;
  stats: Stats;
}

/** Bodies under this size may use `keepalive` (the browser's limit is 64 KiB in flight). */
export const KEEPALIVE_MAX = 65_000;

export const bytes = (s: string) => new TextEncoder().encode(s).length;

/** The body of `POST /v1/batch`, as text/plain JSON with the write key inside: no CORS preflight. */
export const body = (batch: WireEvent[], writeKey: string, now: number) =>
  JSON.stringify({ batch, sentAt: new Date(now).toISOString(), writeKey });

/** Milliseconds to wait from a `Retry-After` of seconds or an HTTP date; 0 when absent. */
export const retryAfterMs = (h: string | null, now: number) => {
  if (!h) return 0;
  const n = Number(h);
  return Math.max(0, n >= 0 ? n * 1000 : Date.parse(h) - now || 0);
};

const gzip = (s: string) =>
  new Response(new Blob([s]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();

/**
 * Sends one batch. Answers true when the batch is settled (accepted, rejected or dropped), or the
 * least number of ms to wait before a retry (0: plain backoff).
 */
export const createTransport = (o: TransportOptions) => async (batch: WireEvent[]): Promise<true | number> => {
  const text = body(batch, o.writeKey, o.now());
  const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
  let data: BodyInit = text;
  let size = bytes(text);
  try {
    if (o.compressMinBytes !== false && size >= o.compressMinBytes && typeof CompressionStream != 'undefined') {
      data = await gzip(text);
      size = data.byteLength;
      headers['Content-Encoding'] = 'gzip';
    }
    const r = await o.fetch(o.url, { method: 'POST', body: data, headers, keepalive: size < KEEPALIVE_MAX, credentials: 'omit' });
    const s = r.status;
    if (s < 300) {
      const rejected = ((await r.json().catch(() => 0)) || {}).rejected?.length || 0;
      o.stats.rejected += rejected;
      o.stats.sent += batch.length - rejected;
      return true;
    }
    if (s == 429 || s == 503) return retryAfterMs(r.headers.get('Retry-After'), o.now());
    if (s < 500) return (o.stats.dropped += batch.length), true;
  } catch {
    // network error: retry
  }
  return 0;
};
