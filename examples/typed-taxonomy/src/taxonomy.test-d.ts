// The taxonomy types both SDKs: run with `npx vitest run --project types` from the repo root.
import type { EventName } from '@sluice/schema';
import type { Analytics as BrowserAnalytics } from '@sluice/sdk-browser';
import type { Analytics as NodeAnalytics } from '@sluice/sdk-node';
import { describe, expectTypeOf, it } from 'vitest';
import type { AppTaxonomy } from './taxonomy';

declare const node: NodeAnalytics<AppTaxonomy>;
declare const browser: BrowserAnalytics<AppTaxonomy>;

describe('one taxonomy, both SDKs', () => {
  it('names exactly the events of the taxonomy', () => {
    expectTypeOf<EventName<AppTaxonomy>>().toEqualTypeOf<'Signup Completed' | 'Order Placed' | 'Search Performed'>();
  });

  it('accepts the events as defined', () => {
    node.track({ event: 'Order Placed', userId: 'ada', properties: { orderId: 'o-1', total: 10, currency: 'EUR' } });
    node.identify({ userId: 'ada', traits: { email: 'ada@example.com' } });
    browser.track('Signup Completed', { plan: 'pro', method: 'email' });
    browser.track('Search Performed', { query: 'clickhouse' });
  });

  it('refuses a misspelt event name in the Node service', () => {
    // @ts-expect-error 'Order Plcaed' is not an event of the taxonomy
    node.track({ event: 'Order Plcaed', userId: 'ada', properties: { orderId: 'o-1', total: 10, currency: 'EUR' } });
  });

  it('refuses a misspelt event name in the browser app', () => {
    // @ts-expect-error 'Signup Complete' is not an event of the taxonomy
    browser.track('Signup Complete', { plan: 'pro', method: 'email' });
  });

  it('refuses wrong and missing properties', () => {
    // @ts-expect-error total is a number
    node.track({ event: 'Order Placed', userId: 'ada', properties: { orderId: 'o-1', total: '10', currency: 'EUR' } });
    // @ts-expect-error currency is required
    browser.track('Order Placed', { orderId: 'o-1', total: 10 });
    // @ts-expect-error 'GBP' is not one of the currencies
    browser.track('Order Placed', { orderId: 'o-1', total: 10, currency: 'GBP' });
    // @ts-expect-error traits.email must be a string
    node.identify({ userId: 'ada', traits: { email: 42 } });
  });
});
