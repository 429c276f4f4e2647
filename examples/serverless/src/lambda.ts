import { createAnalytics } from '@sluice/sdk-node';
import type { AnalyticsOptions } from '@sluice/sdk-node';

/** The part of an API Gateway event this example reads. */
export interface LambdaEvent {
  rawPath?: string;
  headers?: Record<string, string | undefined>;
}

/**
 * AWS Lambda (and any runtime that awaits the handler): track during the invocation, then
 * `await analytics.flush()` before returning, because the sandbox is frozen as soon as the handler
 * resolves and a timer-based flush may never run.
 */
export function createLambdaHandler(options: AnalyticsOptions) {
  const analytics = createAnalytics({
    // The invocation decides when to send, not a timer.
    flushIntervalMs: 60_000,
    // An outage should not keep the function (and its bill) running: two quick tries, then report.
    retry: { attempts: 2, baseMs: 100, capMs: 500 },
    timeoutMs: 2_000,
    onError: (error) => console.error(`[sluice] ${error.code}: ${error.message}`),
    ...options,
  });

  const handler = async (event: LambdaEvent) => {
    const userId = event.headers?.['x-user-id'];
    const identity = userId ? { userId } : { anonymousId: event.headers?.['x-anonymous-id'] ?? 'anonymous' };
    analytics.track({ event: 'API Called', ...identity, properties: { path: event.rawPath ?? '/' } });
    const body = JSON.stringify({ ok: true });
    await analytics.flush();
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
  };
  return Object.assign(handler, { analytics });
}

export const handler = createLambdaHandler({
  writeKey: process.env.SLUICE_WRITE_KEY ?? 'dev-key',
  endpoint: process.env.SLUICE_ENDPOINT ?? 'http://127.0.0.1:8080',
});
