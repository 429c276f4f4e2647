// The Node service. It passes the taxonomy value: calls are typed, and `validate: true` would also
// check them at run time (a zod parse per call, for development).
import { createAnalytics, type Analytics } from '@sluice/sdk-node';
import { taxonomy, type AppTaxonomy } from './taxonomy';

export type ServiceAnalytics = Analytics<AppTaxonomy>;

export function createServiceAnalytics(endpoint: string, writeKey: string): ServiceAnalytics {
  return createAnalytics({ writeKey, endpoint, taxonomy, flushIntervalMs: 100 });
}

/** What the service tracks when an order is paid. */
export function orderPaid(analytics: ServiceAnalytics, userId: string, orderId: string, total: number): string {
  return analytics.track({ event: 'Order Placed', userId, properties: { orderId, total, currency: 'EUR' } });
}
