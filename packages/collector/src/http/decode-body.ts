import { Unpackr } from 'msgpackr';
import { CollectorError } from '../errors';
import type { HeaderSource } from './exchange';
import { scanMsgpack } from './msgpack-scan';

export type BodyFormat = 'json' | 'msgpack';

/** The only types read as msgpack; every other body is read as JSON. */
const MSGPACK_TYPES = new Set(['application/msgpack', 'application/x-msgpack', 'application/vnd.msgpack']);

/** `key=value&…`: what a real HTML form or `URLSearchParams` body looks like. */
const FORM_BODY = /^[\w.~%+-]*=[^&]*(&|$)/;

/** Deep enough for any valid batch (the schema's event depth plus the envelope); stops stack abuse early. */
const MAX_MSGPACK_DEPTH = 32;

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body format: msgpack when `Content-Type` names it, JSON otherwise, whatever else is declared.
 * Clients that speak the Segment Spec send JSON under many labels: `application/json; charset=…`,
 * `text/plain` (beacons and analytics.js, to skip a CORS preflight), no header at all, and
 * `application/x-www-form-urlencoded` (RudderStack's Node SDK, through axios's default for a Buffer).
 */
export function bodyFormat(headers: HeaderSource): BodyFormat {
  const raw = headers.get('content-type');
  if (raw === null) return 'json';
  const mediaType = raw.split(';', 1)[0]!.trim().toLowerCase();
  return MSGPACK_TYPES.has(mediaType) ? 'msgpack' : 'json';
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
  // A byte-order mark is not JSON, but some Windows tools write one.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (error) {
    if (FORM_BODY.test(text)) {
      throw new CollectorError(
        'unsupported_media_type',
        'the body is a form (key=value&…), not JSON; send the events as one JSON object such as {"batch":[{"type":"track",…}]} (or application/msgpack), whatever the Content-Type',
      );
    }
    throw new CollectorError('invalid_body', `the body is not valid JSON (${(error as Error).message}); send one JSON object`);
  }
}
