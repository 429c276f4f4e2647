import { Readable, pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, type Inflate } from 'node:zlib';
import { CollectorError } from '../errors';

export interface BodyLimits {
  /** Bytes on the wire, compressed or not. */
  maxBodyBytes: number;
  /** Bytes after decompression. */
  maxDecodedBytes: number;
}

const DECODERS: Record<string, () => Inflate | ReturnType<typeof createBrotliDecompress>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Reads a request body into one buffer, never holding more than the limits: the wire size is
 * checked against `Content-Length` before reading and again while streaming, and a compressed body
 * is inflated as a stream that is destroyed as soon as its output passes `maxDecodedBytes`, so a
 * gzip bomb costs at most that much memory.
 */
export async function readBody(request: Request, limits: BodyLimits): Promise<Uint8Array> {
  const encoding = contentEncoding(request.headers);
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limits.maxBodyBytes) throw wireTooLarge(limits);
  if (!request.body) return new Uint8Array(0);

  const wire = capped(request.body, limits.maxBodyBytes, () => wireTooLarge(limits));
  if (encoding === undefined) return collect(wire, limits.maxDecodedBytes, () => decodedTooLarge(limits));

  const inflater = DECODERS[encoding]!();
  const source = Readable.from(wire);
  pipeline(source, inflater, () => {});
  try {
    return await collect(inflater, limits.maxDecodedBytes, () => decodedTooLarge(limits));
  } catch (error) {
    if (error instanceof CollectorError) throw error;
    throw new CollectorError('invalid_body', `the body is not valid ${encoding} data (${(error as Error).message}); compress the whole body once, or drop the Content-Encoding header`);
  } finally {
    inflater.destroy();
    source.destroy();
  }
}

/** The one `Content-Encoding` the body carries, or `undefined` for identity; 415 for anything else. */
export function contentEncoding(headers: Headers): string | undefined {
  const raw = headers.get('content-encoding')?.trim().toLowerCase();
  if (!raw || raw === 'identity') return undefined;
  if (Object.hasOwn(DECODERS, raw)) return raw;
  throw new CollectorError(
    'unsupported_media_type',
    `Content-Encoding "${raw.slice(0, 64)}" is not supported; send the body uncompressed or with one of gzip, deflate or br`,
  );
}

async function* capped(body: ReadableStream<Uint8Array>, max: number, tooLarge: () => CollectorError): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read().catch((error: unknown) => {
        throw new CollectorError('invalid_body', `the request body could not be read (${error instanceof Error ? error.message : String(error)}); send it again`, { cause: error });
      });
      if (done) return;
      total += value.byteLength;
      if (total > max) throw tooLarge();
      yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>, max: number, tooLarge: () => CollectorError): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > max) throw tooLarge();
    parts.push(chunk);
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function wireTooLarge(limits: BodyLimits): CollectorError {
  return new CollectorError(
    'payload_too_large',
    `the request body is over ${limits.maxBodyBytes} bytes; send fewer events per request (the SDKs split batches for you)`,
  );
}

function decodedTooLarge(limits: BodyLimits): CollectorError {
  return new CollectorError(
    'payload_too_large',
    `the decompressed body is over ${limits.maxDecodedBytes} bytes; send fewer events per request`,
  );
}
