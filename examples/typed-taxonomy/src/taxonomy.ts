import { defineTaxonomy } from '@sluice/schema';
import { z } from 'zod';

/**
 * The one definition of this product's events. The browser app imports its type, the Node service
 * and the collector import the value: a name or property that is wrong anywhere fails to compile,
 * and what arrives from producers that are not TypeScript is checked by the collector.
 */
export const taxonomy = defineTaxonomy({
  events: {
    'Signup Completed': z.object({ plan: z.enum(['free', 'pro']), method: z.enum(['email', 'google']) }),
    'Order Placed': z.object({ orderId: z.string(), total: z.number().nonnegative(), currency: z.enum(['EUR', 'USD']) }),
    'Search Performed': z.object({ query: z.string(), results: z.number().int().optional() }),
  },
  traits: z.object({ email: z.email(), plan: z.enum(['free', 'pro']).optional() }),
  // Unknown track events go to sluice.events_quarantine instead of sluice.events.
  unknownEvents: 'reject',
});

export type AppTaxonomy = typeof taxonomy;
