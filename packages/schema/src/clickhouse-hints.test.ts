import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { propertyTypeHints } from './clickhouse-hints';
import { taxonomyToJsonSchema } from './json-schema';
import { defineTaxonomy } from './taxonomy';

describe('propertyTypeHints', () => {
  it('maps zod types to ClickHouse types', () => {
    const taxonomy = defineTaxonomy({
      events: {
        A: z.object({
          name: z.string(),
          plan: z.enum(['free', 'pro']),
          kind: z.literal('x'),
          count: z.int(),
          total: z.number(),
          ok: z.boolean(),
          at: z.iso.datetime(),
          when: z.date(),
          maybe: z.string().nullable().optional(),
          cart: z.object({ items: z.int(), coupon: z.string().optional() }),
          tags: z.array(z.string()),
        }),
      },
    });
    expect(propertyTypeHints(taxonomy)).toEqual({
      name: 'String',
      plan: 'LowCardinality(String)',
      kind: 'LowCardinality(String)',
      count: 'Int64',
      total: 'Float64',
      ok: 'Bool',
      at: 'DateTime64(3)',
      when: 'DateTime64(3)',
      maybe: 'String',
      'cart.items': 'Int64',
      'cart.coupon': 'String',
    });
  });

  it('gives no hint to a path whose type differs between events, and agrees where it matches', () => {
    const taxonomy = defineTaxonomy({
      events: {
        A: z.object({ value: z.number(), shared: z.string(), nested: z.object({ x: z.int() }) }),
        B: z.object({ value: z.string(), shared: z.string(), nested: z.string() }),
      },
    });
    expect(propertyTypeHints(taxonomy)).toEqual({ shared: 'String' });
  });
});

describe('taxonomyToJsonSchema', () => {
  it('describes each event with the schema of its properties', () => {
    const taxonomy = defineTaxonomy({
      events: { 'Order Placed': z.object({ total: z.number() }) },
      traits: z.object({ email: z.string() }),
      unknownEvents: 'reject',
    });
    const schema = taxonomyToJsonSchema(taxonomy);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$defs).toEqual({
      'Order Placed': { type: 'object', properties: { total: { type: 'number' } }, required: ['total'] },
    });
    expect(schema.oneOf).toHaveLength(1);
    expect(JSON.stringify(schema.oneOf)).toContain('#/$defs/Order%20Placed');
    expect(schema['x-sluice-traits']).toMatchObject({ properties: { email: { type: 'string' } } });
  });
});
