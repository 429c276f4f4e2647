import type { CollectorMetrics } from '../metrics';
import type { Exchange } from './exchange';
import { readBody, type BodyLimits } from './read-body';

/**
 * analytics.js posts its own delivery metrics to `/v1/m` as `{"series":[…]}`, without a write key.
 * Sluice has no use for them, but a 404 there would show as errors in every visitor's console: the
 * report is read within the body limits, counted in `/metrics`, and dropped. Never a 4xx for an odd
 * body; an oversized one gets the usual 413.
 */
export async function countClientMetrics(request: Exchange, limits: BodyLimits, metrics: Pick<CollectorMetrics, 'clientMetrics'>): Promise<void> {
  const bytes = await readBody(request, limits);
  let series = 0;
  try {
    const body = JSON.parse(new TextDecoder().decode(bytes)) as { series?: unknown };
    if (Array.isArray(body?.series)) series = body.series.length;
  } catch {
    // Not JSON: still a report, with nothing to count in it.
  }
  metrics.clientMetrics(series);
}
