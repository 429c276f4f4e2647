import { defineTaxonomy } from '@sluice/schema';
import { z } from 'zod';

/** The demo's event taxonomy: the collector validates against it and types the properties column. */
export const taxonomy = defineTaxonomy({
  events: {
    'Signup Completed': z.object({ plan: z.enum(['free', 'pro']), method: z.enum(['email', 'google']) }),
    Activated: z.object({ feature: z.enum(['dashboard', 'api']) }),
    'Order Placed': z.object({ total: z.number().positive(), currency: z.enum(['EUR', 'USD']), items: z.int().min(1) }),
    'Dashboard Viewed': z.object({ widgets: z.int().min(0) }),
    'Button Clicked': z.object({ label: z.string() }),
  },
  traits: z.object({ email: z.string().optional(), plan: z.enum(['free', 'pro']).optional() }),
});
