/** The request headers the core reads; a Fetch `Headers` is one, and node:http's are wrapped as one. Names are lower case. */
export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * One request as the core sees it, whatever the server: a Fetch `Request` (`fetch-exchange.ts`) or a
 * node:http `IncomingMessage` read straight into a Buffer (`node-body.ts`), so Node servers build no
 * WHATWG `Request` and `Response` per call.
 */
export interface Exchange {
  readonly method: string;
  /** The request target: absolute, or the path and query string. */
  readonly url: string;
  readonly headers: HeaderSource;
  /** The body as sent (still compressed), refused with `tooLarge()` as soon as it passes `maxBytes`. */
  body(maxBytes: number, tooLarge: () => Error): Promise<Uint8Array>;
  /** The same request as a Fetch `Request`, for the routes that take one (the query API, the dashboard). */
  toRequest(): Request;
}

/** The core's answer; each adapter writes it the way its server does. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array | null;
}

/** A Fetch `Response` from another handler (query API, dashboard) as an `Answer`. */
export async function answerFrom(response: Response): Promise<Answer> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return { status: response.status, headers, body: response.body ? new Uint8Array(await response.arrayBuffer()) : null };
}
