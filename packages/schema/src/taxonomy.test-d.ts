import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineTaxonomy, type EventName, type EventProperties, type PropertiesArgs, type Traits } from './index';

const taxonomy = defineTaxonomy({
  events: {
    'Order Placed': z.object({ total: z.number(), currency: z.enum(['EUR', 'USD']), coupon: z.string().optional() }),
    'Signed Up': z.object({ plan: z.string().optional() }),
  },
  traits: z.object({ email: z.string(), age: z.number().optional() }),
});
type T = typeof taxonomy;

/** The shape an SDK gives its `track`: positional, typed by the taxonomy. */
declare function track<Tx, N extends EventName<Tx>>(event: N, ...properties: PropertiesArgs<Tx, N>): void;

describe('typing from a taxonomy', () => {
  it('lists exactly the taxonomy event names', () => {
    expectTypeOf<EventName<T>>().toEqualTypeOf<'Order Placed' | 'Signed Up'>();
  });

  it('derives properties and traits from the zod schemas', () => {
    expectTypeOf<EventProperties<T, 'Order Placed'>>().toEqualTypeOf<{ total: number; currency: 'EUR' | 'USD'; coupon?: string | undefined }>();
    expectTypeOf<Traits<T>>().toEqualTypeOf<{ email: string; age?: number | undefined }>();
  });

  it('accepts correct calls', () => {
    track<T, 'Order Placed'>('Order Placed', { total: 12, currency: 'EUR' });
    track<T, 'Signed Up'>('Signed Up');
    track<T, 'Signed Up'>('Signed Up', { plan: 'pro' });
  });

  it('rejects a wrong event name', () => {
    // @ts-expect-error 'Order Placd' is not in the taxonomy
    track<T, 'Order Placd'>('Order Placd', { total: 1, currency: 'EUR' });
  });

  it('rejects a missing required property, and a missing properties object', () => {
    // @ts-expect-error currency is required
    track<T, 'Order Placed'>('Order Placed', { total: 12 });
    // @ts-expect-error properties are required when any property is
    track<T, 'Order Placed'>('Order Placed');
  });

  it('rejects a wrong property type', () => {
    // @ts-expect-error total is a number
    track<T, 'Order Placed'>('Order Placed', { total: '12', currency: 'EUR' });
    // @ts-expect-error currency is an enum
    track<T, 'Order Placed'>('Order Placed', { total: 12, currency: 'GBP' });
  });
});

describe('without a taxonomy', () => {
  it('stays open: any name, any properties', () => {
    expectTypeOf<EventName<undefined>>().toEqualTypeOf<string>();
    expectTypeOf<EventProperties<undefined, 'anything'>>().toEqualTypeOf<Record<string, unknown>>();
    track<undefined, 'anything'>('anything', { a: 1 });
    track<undefined, 'anything'>('anything');
  });
});
