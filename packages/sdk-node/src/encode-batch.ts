import { constants, gzip } from 'node:zlib';
import type { WireBatch } from '@sluice/schema';
import { createMsgpackWriter } from './msgpack-writer';

export type Encoding = 'msgpack' | 'json';
export type Compression = 'gzip' | 'none';

export interface EncodedBody {
  body: Uint8Array;
  /** Size before compression: what the collector's body limit applies to. */
  rawBytes: number;
  headers: Record<string, string>;
}

/** Plain MessagePack that any decoder reads, from what JSON would send (see `msgpack-writer`). */
const msgpack = createMsgpackWriter();

const CONTENT_TYPE: Record<Encoding, string> = {
  msgpack: 'application/msgpack',
  json: 'application/json',
};

/**
 * Serialises one batch. Serialisation is synchronous but bounded by `maxBatchBytes`; compression
 * (gzip level 1: event batches are repetitive, so the fastest level already shrinks them several
 * times) runs on libuv's thread pool, so it does not hold the event loop.
 */
export async function encodeBatch(batch: WireBatch, encoding: Encoding, compression: Compression): Promise<EncodedBody> {
  const raw: Uint8Array = encoding === 'msgpack' ? msgpack.encode(batch) : Buffer.from(JSON.stringify(batch));
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE[encoding] };
  if (compression === 'none') return { body: raw, rawBytes: raw.byteLength, headers };
  headers['content-encoding'] = 'gzip';
  const body = await new Promise<Uint8Array>((resolve, reject) => {
    gzip(raw, { level: constants.Z_BEST_SPEED }, (error, result) => (error ? reject(error) : resolve(result)));
  });
  return { body, rawBytes: raw.byteLength, headers };
}
