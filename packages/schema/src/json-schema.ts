import { toJsonSchema } from './clickhouse-hints';
import type { AnyTaxonomy } from './taxonomy';

/**
 * The taxonomy as one JSON Schema (draft 2020-12) of a track event, for producers that are not
 * written in TypeScript: each event name with the schema of its `properties`, and identify traits.
 */
export function taxonomyToJsonSchema(taxonomy: AnyTaxonomy): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  const variants: unknown[] = [];
  for (const [name, schema] of Object.entries(taxonomy.events)) {
    const { $schema: _ignored, ...properties } = toJsonSchema(schema);
    defs[name] = properties;
    variants.push({
      type: 'object',
      required: ['type', 'event'],
      properties: {
        type: { const: 'track' },
        event: { const: name },
        properties: { $ref: `#/$defs/${encodeURIComponent(name).replace(/~/g, '~0')}` },
      },
    });
  }
  if (taxonomy.unknownEvents === 'allow') {
    variants.push({
      type: 'object',
      required: ['type', 'event'],
      properties: { type: { const: 'track' }, event: { type: 'string', not: { enum: Object.keys(taxonomy.events) } } },
    });
  }
  const document: Record<string, unknown> = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Sluice track events',
    oneOf: variants,
    $defs: defs,
  };
  if (taxonomy.traits) {
    const { $schema: _ignored, ...traits } = toJsonSchema(taxonomy.traits);
    document['x-sluice-traits'] = traits;
  }
  return document;
}
