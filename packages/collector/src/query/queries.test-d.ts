import { defineTaxonomy } from '@sluice/schema';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { Breakdown, FunnelStep, PropertyName, Queries, TopEvent } from './index';
import { createQueries } from './index';

const taxonomy = defineTaxonomy({
  events: {
    'Signup Completed': z.object({ plan: z.enum(['free', 'pro']) }),
    Activated: z.object({}),
    'Order Placed': z.object({ total: z.number(), currency: z.string() }),
  },
});
type T = typeof taxonomy;
declare const client: Parameters<typeof createQueries>[0]['client'];

describe('queries typed by the taxonomy', () => {
  const q = createQueries<T>({ client });

  it('types event names and property breakdowns', () => {
    expectTypeOf(q).toEqualTypeOf<Queries<T>>();
    expectTypeOf<PropertyName<T>>().toEqualTypeOf<'plan' | 'total' | 'currency'>();
    expectTypeOf<Breakdown<T>>().toEqualTypeOf<'utm_source' | 'utm_medium' | 'utm_campaign' | 'page_path' | 'plan' | 'total' | 'currency'>();
    expectTypeOf(q.funnel({ steps: ['Signup Completed', 'Activated'] })).resolves.toEqualTypeOf<Array<FunnelStep<T>>>();
    expectTypeOf<FunnelStep<T>['step']>().toEqualTypeOf<'Signup Completed' | 'Activated' | 'Order Placed'>();
    expectTypeOf<TopEvent<T>['event']>().toEqualTypeOf<'Signup Completed' | 'Activated' | 'Order Placed'>();
  });

  it('accepts correct questions', () => {
    void q.trends({ events: ['Order Placed'], breakdown: 'currency' });
    void q.trends({ breakdown: 'utm_source' });
    void q.retention({ start: 'Signup Completed', returning: 'Order Placed', period: 'week' });
    void q.funnel({ steps: ['Signup Completed'], by: 'person' });
    void q.topEvents({ by: 'distinct_id' });
    void q.uniqueUsers({ by: 'session_id' });
    void q.trends({ users: true, by: 'anonymous_id' });
  });

  it('rejects names outside the taxonomy', () => {
    // @ts-expect-error 'Signed Up' is not an event of this taxonomy
    void q.funnel({ steps: ['Signed Up', 'Activated'] });
    // @ts-expect-error 'colour' is no property of any event
    void q.trends({ breakdown: 'colour' });
    // @ts-expect-error 'Order Placd' is misspelled
    void q.retention({ start: 'Signup Completed', returning: 'Order Placd' });
    // @ts-expect-error period is day or week
    void q.retention({ start: 'Signup Completed', returning: 'Activated', period: 'month' });
    // @ts-expect-error by is person or an id column
    void q.funnel({ steps: ['Activated'], by: 'email' });
  });

  it('stays open without a taxonomy', () => {
    const open = createQueries({ client });
    void open.funnel({ steps: ['anything', 'else'] });
    void open.trends({ breakdown: 'any.property' });
  });
});
