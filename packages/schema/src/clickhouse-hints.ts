import { z } from 'zod';
import type { AnyTaxonomy } from './taxonomy';

type JsonSchemaNode = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  properties?: Record<string, JsonSchemaNode>;
};

const OBJECT = 'object';

/**
 * ClickHouse type hints for the `properties` JSON column, derived from the taxonomy: a map from
 * property path (`plan`, `cart.total`) to a ClickHouse type. A path whose type differs between
 * events gets no hint, so ClickHouse keeps inferring it; so does an array.
 *
 * string → String, enum or literal → LowCardinality(String), int → Int64, number → Float64,
 * boolean → Bool, date or ISO datetime → DateTime64(3).
 */
export function propertyTypeHints(taxonomy: AnyTaxonomy): Record<string, string> {
  const seen = new Map<string, string | null>();
  for (const schema of Object.values(taxonomy.events)) {
    collect(toJsonSchema(schema), '', seen);
  }
  const hints: Record<string, string> = {};
  for (const [path, type] of seen) {
    if (type !== null && type !== OBJECT && ancestorsAreObjects(path, seen)) hints[path] = type;
  }
  return hints;
}

/** zod → JSON Schema with dates represented as ISO datetimes, which is how they travel as JSON. */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def;
      if (def?.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
    },
  }) as Record<string, unknown>;
}

/** `a.b` keeps its hint only while `a` is an object in every event that has it. */
function ancestorsAreObjects(path: string, seen: Map<string, string | null>): boolean {
  for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', dot + 1)) {
    if (seen.get(path.slice(0, dot)) !== OBJECT) return false;
  }
  return true;
}

function collect(node: JsonSchemaNode, prefix: string, seen: Map<string, string | null>): void {
  if (!node.properties) return;
  for (const [key, child] of Object.entries(node.properties)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const type = leafType(child);
    if (type === undefined) {
      seen.set(path, null);
      continue;
    }
    const before = seen.get(path);
    seen.set(path, before === undefined || before === type ? type : null);
    if (type === OBJECT) collect(unwrap(child), path, seen);
  }
}

function unwrap(node: JsonSchemaNode): JsonSchemaNode {
  const options = node.anyOf ?? node.oneOf;
  if (!options) return node;
  const nonNull = options.filter((option) => option.type !== 'null');
  return nonNull.length === 1 && nonNull[0] ? unwrap(nonNull[0]) : node;
}

function leafType(raw: JsonSchemaNode): string | undefined {
  const node = unwrap(raw);
  if (node.anyOf || node.oneOf) return undefined;
  if (node.enum ? node.enum.every((v) => typeof v === 'string') : typeof node.const === 'string') {
    return 'LowCardinality(String)';
  }
  // zod writes a nullable scalar as { type: ['string', 'null'] }.
  const types = Array.isArray(node.type) ? node.type.filter((t) => t !== 'null') : [node.type];
  if (types.length !== 1) return undefined;
  switch (types[0]) {
    case 'string':
      return node.format === 'date-time' ? 'DateTime64(3)' : 'String';
    case 'integer':
      return 'Int64';
    case 'number':
      return 'Float64';
    case 'boolean':
      return 'Bool';
    case 'object':
      return node.properties ? OBJECT : undefined;
    default:
      return undefined;
  }
}
