import { CollectorError } from '../errors';
import type { Answer, Exchange } from './exchange';

/** A Fetch `Request` as an `Exchange`. */
export function fetchExchange(request: Request): Exchange {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: (maxBytes, tooLarge) => (request.body ? collect(request.body, maxBytes, tooLarge) : Promise.resolve(new Uint8Array(0))),
    toRequest: () => request,
  };
}

/** An `Answer` as a Fetch `Response`. */
export function toResponse(answer: Answer): Response {
  return new Response(answer.body as BodyInit | null, { status: answer.status, headers: answer.headers });
}

async function collect(body: ReadableStream<Uint8Array>, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read().catch((error: unknown) => {
        throw new CollectorError('invalid_body', `the request body could not be read (${error instanceof Error ? error.message : String(error)}); send it again`, { cause: error });
      });
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge();
      parts.push(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}
