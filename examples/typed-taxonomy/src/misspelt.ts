// Why the taxonomy is worth it: a misspelt event name does not compile. Delete the directive
// below and `npm run typecheck -w @sluice-examples/typed-taxonomy` prints
//   src/misspelt.ts: error TS2820: Type '"Order Plcaed"' is not assignable to type
//   '"Signup Completed" | "Order Placed" | "Search Performed"'. Did you mean '"Order Placed"'?
// (The call is never made; the file exists to be type-checked.)
import type { ServiceAnalytics } from './service';

export function misspelt(analytics: ServiceAnalytics): void {
  // @ts-expect-error 'Order Plcaed' is not an event of the taxonomy
  analytics.track({ event: 'Order Plcaed', userId: 'ada', properties: { orderId: 'o-1', total: 10, currency: 'EUR' } });
}
