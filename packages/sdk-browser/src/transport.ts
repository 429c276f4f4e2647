import type { Rejection } from '@sluice/schema';
import { parseRetryAfter, statusAction, type WireAction } from '@sluice/schema/wire';

export interface TransportOptions {
  url: string;
  writeKey: string;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  now: () => number;
  compressMinBytes: number | false;
}

/** What one request came to: the action of the wire status table, with what the answer said. */
export interface Answer {
  action: WireAction;
  /** Events the collector listed as invalid in a 2xx. */
  rejected: number;
  /** The collector's `Retry-After`, in ms, when it sent one. */
  retryAfterMs?: number | undefined;
}

/** Bodies under this size may use `keepalive` (the browser's limit is 64 KiB in flight). */
export const KEEPALIVE_MAX = 65_000;

const encoder = new TextEncoder();

/** UTF-8 bytes of a text: its length when it is ASCII (most events), which a regex tells faster than encoding. */
export const byteLength = (text: string) => (/[^\0-\x7f]/.test(text) ? encoder.encode(text).length : text.length);

/**
 * The body of `POST /v1/batch`, as text/plain JSON with the write key inside: no CORS preflight.
 * Built from each event's JSON as it was queued, so no event is serialised again to be sent.
 */
export const batchBody = (events: string[], writeKey: string, now: number) =>
  '{"batch":[' + events.join(',') + '],"sentAt":"' + new Date(now).toISOString() + '","writeKey":' + JSON.stringify(writeKey) + '}';

/** gzip through a CompressionStream fed directly: a `Blob` of the text costs Chromium more than the compression itself. */
const gzip = (bytes: Uint8Array<ArrayBuffer>) => {
  const stream = new CompressionStream('gzip');
  const writer = stream.writable.getWriter();
  Promise.all([writer.write(bytes), writer.close()]).catch(() => {}); // a failure surfaces through the readable side
  return new Response(stream.readable).arrayBuffer();
};

/**
 * Sends one batch, given as its events' JSON texts, and answers what to do next, by the status table
 * of `@sluice/schema/wire`. Never throws. `dispatch` is asked right before the request goes out
 * (after compression, which takes a while): when it answers false, nothing is sent and the answer
 * is undefined.
 */
export const createTransport = (options: TransportOptions) => async (events: string[], dispatch = () => true): Promise<Answer | undefined> => {
  const text = batchBody(events, options.writeKey, options.now());
  const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
  let data: BodyInit = text;
  // The text's length (UTF-16 units) never exceeds its UTF-8 size: a body that long is gzipped, and its bytes counted then.
  let size = text.length;
  try {
    if (options.compressMinBytes !== false && size >= options.compressMinBytes && typeof CompressionStream != 'undefined') {
      data = await gzip(encoder.encode(text));
      size = data.byteLength;
      headers['Content-Encoding'] = 'gzip';
    } else size = byteLength(text);
    if (!dispatch()) return undefined;
    const response = await options.fetch(options.url, { method: 'POST', body: data, headers, keepalive: size < KEEPALIVE_MAX, credentials: 'omit' });
    const action = statusAction(response.status);
    const rejected: Rejection[] | undefined = action == 'accept' ? (await response.json().catch(() => 0))?.rejected : undefined;
    return { action, rejected: rejected?.length || 0, retryAfterMs: parseRetryAfter(response.headers.get('Retry-After'), options.now()) };
  } catch {
    return { action: statusAction(undefined), rejected: 0 };
  }
};
