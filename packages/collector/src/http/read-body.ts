import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, type ZlibOptions } from 'node:zlib';
import { CollectorError } from '../errors';
import type { Exchange, HeaderSource } from './exchange';

export interface BodyLimits {
  /** Bytes on the wire, compressed or not. */
  maxBodyBytes: number;
  /** Bytes after decompression. */
  maxDecodedBytes: number;
}

type Decoder = (buffer: Uint8Array, options: ZlibOptions) => Promise<Buffer>;
const DECODERS: Record<string, Decoder> = {
  gzip: promisify(gunzip) as Decoder,
  'x-gzip': promisify(gunzip) as Decoder,
  deflate: promisify(inflate) as Decoder,
  br: promisify(brotliDecompress) as Decoder,
};

/**
 * Reads a request body into one buffer, never holding more than the limits: the wire size is
 * checked against `Content-Length` before reading and again while reading, and a compressed body is
 * inflated with zlib's `maxOutputLength`, which stops as soon as the output passes `maxDecodedBytes`,
 * so a gzip bomb costs at most that much memory.
 */
export async function readBody(exchange: Exchange, limits: BodyLimits): Promise<Uint8Array> {
  const encoding = contentEncoding(exchange.headers);
  const declared = exchange.headers.get('content-length');
  if (declared !== null && Number(declared) > limits.maxBodyBytes) throw wireTooLarge(limits);
  const wire = await exchange.body(limits.maxBodyBytes, () => wireTooLarge(limits));
  if (encoding === undefined) {
    if (wire.byteLength > limits.maxDecodedBytes) throw decodedTooLarge(limits);
    return wire;
  }
  try {
    return await DECODERS[encoding]!(wire, { maxOutputLength: limits.maxDecodedBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw decodedTooLarge(limits);
    throw new CollectorError('invalid_body', `the body is not valid ${encoding} data (${(error as Error).message}); compress the whole body once, or drop the Content-Encoding header`);
  }
}

/** The one `Content-Encoding` the body carries, or `undefined` for identity; 415 for anything else. */
export function contentEncoding(headers: HeaderSource): string | undefined {
  const raw = headers.get('content-encoding')?.trim().toLowerCase();
  if (!raw || raw === 'identity') return undefined;
  if (Object.hasOwn(DECODERS, raw)) return raw;
  throw new CollectorError(
    'unsupported_media_type',
    `Content-Encoding "${raw.slice(0, 64)}" is not supported; send the body uncompressed or with one of gzip, deflate or br`,
  );
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
