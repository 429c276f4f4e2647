import { defineTaxonomy } from '@sluice/schema';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createAnalytics } from './index';
import type { Analytics, TrackMessage } from './index';

const taxonomy = defineTaxonomy({
  events: {
    'Order Placed': z.object({ total: z.number(), currency: z.enum(['EUR', 'USD']), coupon: z.string().optional() }),
    'Signed Up': z.object({ plan: z.string().optional() }),
  },
  traits: z.object({ email: z.string(), plan: z.string().optional() }),
});

const base = { writeKey: 'k', endpoint: 'http://localhost:8080' };

describe('with a taxonomy', () => {
  const analytics = createAnalytics({ ...base, taxonomy });

  it('infers the taxonomy from the option', () => {
    expectTypeOf(analytics).toEqualTypeOf<Analytics<typeof taxonomy>>();
  });

  it('accepts correct calls', () => {
    expectTypeOf(analytics.track({ event: 'Order Placed', userId: 'u', properties: { total: 1, currency: 'EUR' } })).toEqualTypeOf<string>();
    analytics.track({ event: 'Order Placed', anonymousId: 'a', properties: { total: 1, currency: 'USD', coupon: 'X' }, timestamp: new Date() });
    // Every property optional: properties may be left out.
    analytics.track({ event: 'Signed Up', userId: 'u' });
    analytics.identify({ userId: 'u', traits: { email: 'a@b.c' } });
  });

  it('rejects an unknown event name', () => {
    // @ts-expect-error 'Order Plcaed' is not in the taxonomy
    analytics.track({ event: 'Order Plcaed', userId: 'u', properties: { total: 1, currency: 'EUR' } });
  });

  it('rejects a missing required property', () => {
    // @ts-expect-error currency is required
    analytics.track({ event: 'Order Placed', userId: 'u', properties: { total: 1 } });
    // @ts-expect-error properties are required when some property is
    analytics.track({ event: 'Order Placed', userId: 'u' });
  });

  it('rejects a property of the wrong type', () => {
    // @ts-expect-error total is a number
    analytics.track({ event: 'Order Placed', userId: 'u', properties: { total: '1', currency: 'EUR' } });
    // @ts-expect-error currency is an enum
    analytics.track({ event: 'Order Placed', userId: 'u', properties: { total: 1, currency: 'GBP' } });
  });

  it('rejects a property the event does not have', () => {
    // @ts-expect-error discount is not a property of Order Placed
    analytics.track({ event: 'Order Placed', userId: 'u', properties: { total: 1, currency: 'EUR', discount: 5 } });
  });

  it('requires a userId or an anonymousId', () => {
    // @ts-expect-error no identity
    analytics.track({ event: 'Signed Up' });
  });

  it('types identify traits from the taxonomy', () => {
    // @ts-expect-error email is required
    analytics.identify({ userId: 'u', traits: { plan: 'pro' } });
    // @ts-expect-error email is a string
    analytics.identify({ userId: 'u', traits: { email: 1 } });
  });

  it('works with the taxonomy type only', () => {
    const typed = createAnalytics<typeof taxonomy>(base);
    typed.track({ event: 'Signed Up', userId: 'u', properties: { plan: 'pro' } });
    // @ts-expect-error unknown event
    typed.track({ event: 'Nope', userId: 'u' });
  });

  it('exposes the message type', () => {
    expectTypeOf<TrackMessage<typeof taxonomy, 'Order Placed'>['properties']>().toEqualTypeOf<{ total: number; currency: 'EUR' | 'USD'; coupon?: string | undefined }>();
  });
});

describe('without a taxonomy', () => {
  const analytics = createAnalytics(base);

  it('is open: any event name, any properties', () => {
    expectTypeOf(analytics).toEqualTypeOf<Analytics<undefined>>();
    analytics.track({ event: 'Anything', userId: 'u', properties: { whatever: [1, { nested: true }] } });
    analytics.track({ event: 'No Props', anonymousId: 'a' });
    analytics.identify({ userId: 'u', traits: { anything: 1 } });
    analytics.page({ userId: 'u', name: 'Home' });
    analytics.screen({ anonymousId: 'a', name: 'Settings', properties: { x: 1 } });
    analytics.group({ userId: 'u', groupId: 'g' });
    analytics.alias({ userId: 'u', previousId: 'a' });
  });

  it('still requires the protocol fields', () => {
    // @ts-expect-error no identity
    analytics.track({ event: 'X' });
    // @ts-expect-error event name is a string
    analytics.track({ event: 1, userId: 'u' });
    // @ts-expect-error groupId is required
    analytics.group({ userId: 'u' });
    // @ts-expect-error previousId is required
    analytics.alias({ userId: 'u' });
  });

  it('types flush, shutdown and stats', () => {
    expectTypeOf(analytics.flush()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(analytics.shutdown({ timeoutMs: 3_000 })).resolves.toHaveProperty('undelivered').toEqualTypeOf<number>();
    expectTypeOf(analytics.stats()).toHaveProperty('dropped').toEqualTypeOf<number>();
  });
});
