/**
 * Serverless: after each synchronous run of calls, hands the platform's `waitUntil` the promise of
 * one flush, so the function stays alive until its events are settled.
 */
export function createWaitUntil(waitUntil: ((promise: Promise<unknown>) => void) | undefined, flush: () => Promise<void>): () => void {
  if (waitUntil === undefined) return () => undefined;
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      waitUntil(flush());
    });
  };
}
