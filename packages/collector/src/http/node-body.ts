import type { IncomingMessage } from 'node:http';
import { CollectorError } from '../errors';
import type { Exchange, HeaderSource } from './exchange';

const stopReading = new WeakMap<IncomingMessage, () => void>();

/**
 * `IncomingMessage` as an `Exchange`: headers read from `req.headers`, the body read into one Buffer
 * only when the core asks for it, so a request refused early (401, 413, 415) is never buffered.
 * `toRequest` builds the Fetch `Request` for the routes that need one.
 */
export function nodeExchange(req: IncomingMessage, url: string, toRequest: () => Request): Exchange {
  return { method: req.method ?? 'GET', url, headers: nodeHeaders(req), body: (maxBytes, tooLarge) => readNodeBody(req, maxBytes, tooLarge), toRequest };
}

function nodeHeaders(req: IncomingMessage): HeaderSource {
  return {
    get(name) {
      const value = req.headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

function readNodeBody(req: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array> {
  if (req.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const fail = (error: Error) => {
      stop();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) fail(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onError = (error: Error) => fail(new CollectorError('invalid_body', `the request body could not be read (${error.message}); send it again`, { cause: error }));
    const onClose = () => fail(new CollectorError('invalid_body', 'the client closed the connection before the body was complete; send it again'));
    stopReading.set(req, stop);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/**
 * The request body as a pull-based stream, for the Fetch `Request` of the routes that take one:
 * one chunk is read ahead at most.
 */
export function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  let onData: ((chunk: Buffer) => void) | undefined;
  const stop = () => {
    done = true;
    if (onData) req.off('data', onData);
  };
  stopReading.set(req, stop);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      onData = (chunk) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      };
      req.pause();
      req.on('data', onData);
      req.once('end', () => {
        if (!done) controller.close();
        done = true;
      });
      const fail = (error: Error) => {
        if (!done) controller.error(error);
        done = true;
      };
      req.once('error', fail);
      req.once('close', () => fail(new Error('the client closed the connection before the body was complete')));
    },
    pull() {
      req.resume();
    },
    cancel() {
      stop();
      req.resume();
    },
  });
}

/**
 * Reads and drops what is left of a body the collector did not read, so the keep-alive connection
 * can carry the next request (Node only does this itself for bodies nobody started reading).
 */
export function discardBody(req: IncomingMessage): void {
  if (req.complete) return;
  stopReading.get(req)?.();
  req.resume();
}
