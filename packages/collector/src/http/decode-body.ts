import { Unpackr } from 'msgpackr';
import { CollectorError } from '../errors';
import { scanMsgpack } from './msgpack-scan';

export type BodyFormat = 'json' | 'msgpack';

const FORMATS: Record<string, BodyFormat> = {
  'application/json': 'json',
  // What navigator.sendBeacon sends for a string: no CORS preflight needed.
  'text/plain': 'json',
  'application/msgpack': 'msgpack',
  'application/x-msgpack': 'msgpack',
  'application/vnd.msgpack': 'msgpack',
};

/** Deep enough for any valid batch (the schema's event depth plus the envelope); stops stack abuse early. */
const MAX_MSGPACK_DEPTH = 32;

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body format named by `Content-Type`; a missing header is read as JSON, anything else is a 415. */
export function bodyFormat(headers: Headers): BodyFormat {
  const raw = headers.get('content-type');
  if (raw === null || raw.trim() === '') return 'json';
  const [mediaType = '', ...params] = raw.toLowerCase().split(';').map((part) => part.trim());
  const format = FORMATS[mediaType];
  const charset = params.find((param) => param.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (format && (charset === undefined || charset === 'utf-8' || charset === 'utf8')) return format;
  throw new CollectorError(
    'unsupported_media_type',
    `Content-Type "${raw.slice(0, 80)}" is not supported; send application/json, text/plain (JSON, for beacons) or application/msgpack, in UTF-8`,
  );
}

/** Decodes a whole body; anything undecodable is a 400 whose message says what was wrong. */
export function decodeBody(bytes: Uint8Array, format: BodyFormat): unknown {
  if (bytes.byteLength === 0) {
    throw new CollectorError('invalid_body', 'the request body is empty; send a JSON object such as {"batch":[…]}');
  }
  if (format === 'msgpack') {
    const problem = scanMsgpack(bytes, MAX_MSGPACK_DEPTH);
    if (problem) throw new CollectorError('invalid_body', `the msgpack body ${problem}`);
    try {
      return unpackr.unpack(bytes);
    } catch (error) {
      throw new CollectorError('invalid_body', `the msgpack body cannot be decoded (${(error as Error).message}); send one msgpack map`);
    }
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new CollectorError('invalid_body', 'the body is not valid UTF-8; encode the JSON text as UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CollectorError('invalid_body', `the body is not valid JSON (${(error as Error).message}); send one JSON object`);
  }
}
