import type { IncomingMessage } from 'node:http';

const stopReading = new WeakMap<IncomingMessage, () => void>();

/**
 * The request body as a pull-based stream: one chunk is read ahead at most, so a collector that
 * refuses a body early (401, 413, 415) has not buffered it.
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
