import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineTaxonomy } from '@sluice/schema';
import { createAnalytics, type Analytics } from './index';

const taxonomy = defineTaxonomy({
  events: {
    'Order Placed': z.object({ total: z.number(), currency: z.enum(['EUR', 'USD']), coupon: z.string().optional() }),
    'Signed Up': z.object({ plan: z.string().optional() }),
  },
  traits: z.object({ email: z.string(), age: z.number().optional() }),
});
type Taxonomy = typeof taxonomy;

describe('createAnalytics<Taxonomy>', () => {
  const analytics = createAnalytics<Taxonomy>({ writeKey: 'k', endpoint: '/c' });

  it('accepts the taxonomy events with their properties', () => {
    analytics.track('Order Placed', { total: 1, currency: 'EUR' });
    analytics.track('Order Placed', { total: 1, currency: 'USD', coupon: 'X' });
    analytics.track('Signed Up');
    analytics.track('Signed Up', { plan: 'pro' });
    analytics.identify('u', { email: 'a@b.c' });
    expectTypeOf(analytics.track).parameter(0).toEqualTypeOf<'Order Placed' | 'Signed Up'>();
  });

  it('rejects unknown names, missing and wrong properties', () => {
    // @ts-expect-error unknown event name
    analytics.track('Order Placd', { total: 1, currency: 'EUR' });
    // @ts-expect-error properties are required when some are required
    analytics.track('Order Placed');
    // @ts-expect-error missing required property
    analytics.track('Order Placed', { total: 1 });
    // @ts-expect-error wrong property type
    analytics.track('Order Placed', { total: '1', currency: 'EUR' });
    // @ts-expect-error value outside the enum
    analytics.track('Order Placed', { total: 1, currency: 'GBP' });
    // @ts-expect-error traits are checked too
    analytics.identify('u', { email: 1 });
  });
});

describe('createAnalytics without a taxonomy', () => {
  const analytics = createAnalytics({ writeKey: 'k', endpoint: '/c' });
  it('is open: any name, any properties', () => {
    analytics.track('Anything');
    analytics.track('Anything', { a: 1, b: { c: [true] } });
    analytics.identify('u', { whatever: 1 });
    expectTypeOf(analytics).toEqualTypeOf<Analytics>();
    expectTypeOf(analytics.flush).returns.toEqualTypeOf<Promise<void>>();
  });
  it('still checks the options', () => {
    // @ts-expect-error writeKey is required
    createAnalytics({ endpoint: '/c' });
    // @ts-expect-error persistence is 'localStorage' | 'cookie'
    createAnalytics({ writeKey: 'k', endpoint: '/c', persistence: 'sessionStorage' });
  });
});
