import type { ClickHouseClient } from '@clickhouse/client';
import type { DdlContext } from './ddl-dialect';
import { onCluster, storageTable } from './ddl-dialect';
import { propertiesType, PROPERTIES_CODEC } from './ddl-events';
import { literal } from './identifiers';

/** Migrations that follow the taxonomy are recorded from this version up, after the numbered DDL. */
export const PROPERTY_HINTS_FIRST_VERSION = 1000;

/** What following the taxonomy did to `events.properties` on this run. */
export interface PropertyHintsOutcome {
  /** The column type now in place, when it changed on this run. */
  applied?: string;
  /** Why the taxonomy's types could not be applied, one line per property; the column is left as it was. */
  refused: string[];
}

/**
 * Splits a ClickHouse `JSON(...)` type, as `system.columns` spells it, into path → type. Paths are
 * bare or backtick-quoted; types may nest parentheses (`LowCardinality(String)`, `DateTime64(3)`).
 */
export function parseJsonHints(type: string): Record<string, string> {
  const hints: Record<string, string> = {};
  const match = /^JSON\((.*)\)$/s.exec(type.trim());
  if (!match?.[1]) return hints;
  const body = match[1];
  let depth = 0;
  let quoted = false;
  let start = 0;
  const parts: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '`') quoted = false;
    } else if (ch === '`') quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  for (const part of parts.map((s) => s.trim()).filter(Boolean)) {
    let path: string;
    let rest: string;
    if (part.startsWith('`')) {
      let end = 1;
      while (end < part.length && part[end] !== '`') end += part[end] === '\\' ? 2 : 1;
      path = part.slice(1, end).replace(/\\(.)/g, '$1');
      rest = part.slice(end + 1);
    } else {
      const space = part.indexOf(' ');
      path = part.slice(0, space);
      rest = part.slice(space);
    }
    // JSON type parameters (max_dynamic_paths=…, SKIP …) are not path hints.
    if (/^\s*=/.test(rest) || path === 'SKIP' || path === 'SKIP REGEXP') continue;
    hints[path] = rest.trim();
  }
  return hints;
}

/** `LowCardinality(T)` cannot be Nullable, so conversions are checked against `T`. */
function checkableType(type: string): string {
  const low = /^LowCardinality\((.*)\)$/.exec(type);
  return low?.[1] ?? type;
}

/**
 * Brings the type hints of `events.properties` in line with the taxonomy. A changed or new hint
 * rewrites the column (`ALTER … MODIFY COLUMN`, which converts every stored part), but only after
 * checking that every stored value converts: ClickHouse changes the column's metadata before it
 * converts the parts, so a failed conversion would leave old parts unreadable. When a value does not
 * convert, nothing is changed and the reason names the property, the type and a stored example.
 * An applied change is recorded in `schema_migrations` with the type it set.
 */
export async function applyPropertyHints(client: ClickHouseClient, ctx: DdlContext): Promise<PropertyHintsOutcome> {
  const local = storageTable(ctx, 'events');
  const current = await rows<{ type: string }>(
    client,
    `SELECT type FROM system.columns WHERE database = ${literal(ctx.dbName)} AND table = ${literal(local)} AND name = 'properties'`,
  );
  const existing = parseJsonHints(current[0]?.type ?? 'JSON');
  const wanted = ctx.propertyHints;
  const changed = Object.entries(wanted).filter(([path, type]) => existing[path] !== type);
  const dropped = Object.keys(existing).filter((path) => !(path in wanted));
  if (changed.length === 0 && dropped.length === 0) return { refused: [] };

  const refused: string[] = [];
  for (const [path, type] of changed) {
    const value = `getSubcolumn(properties, ${literal(path)})`;
    const fails = `NOT isNull(${value}) AND isNull(accurateCastOrNull(${value}, ${literal(checkableType(type))}))`;
    const [check] = await rows<{ bad: string | number; example: string }>(
      client,
      `SELECT countIf(${fails}) AS bad, anyIf(toString(${value}), ${fails}) AS example FROM ${ctx.db}.events`,
    );
    const bad = Number(check?.bad ?? 0);
    if (bad > 0) {
      const was = existing[path] ? `typed ${existing[path]}` : 'untyped';
      refused.push(
        `property "${path}" cannot become ${type}: ${bad} stored row(s) hold values that do not convert (e.g. ${JSON.stringify(check?.example ?? '')}, ${was} now); ` +
          `keep its old type in the taxonomy, or clear those rows (ALTER TABLE ${ctx.dbName}.events DELETE WHERE …) and restart`,
      );
    }
  }
  if (refused.length > 0) return { refused };

  const type = propertiesType(wanted);
  const column = `properties ${type} ${PROPERTIES_CODEC}`;
  await client.command({ query: `ALTER TABLE ${ctx.db}.${local}${onCluster(ctx)} MODIFY COLUMN ${column} SETTINGS mutations_sync = 2` });
  if (ctx.cluster !== undefined) {
    await client.command({ query: `ALTER TABLE ${ctx.db}.events${onCluster(ctx)} MODIFY COLUMN ${column}` });
  }
  const [last] = await rows<{ v: string | number }>(client, `SELECT max(version) AS v FROM ${ctx.db}.schema_migrations`);
  const version = Math.max(PROPERTY_HINTS_FIRST_VERSION, Number(last?.v ?? 0) + 1);
  await client.command({
    query: `INSERT INTO ${ctx.db}.schema_migrations (version, name) VALUES (${version}, ${literal(`properties ${type}`)})`,
  });
  return { applied: type, refused: [] };
}

async function rows<R>(client: ClickHouseClient, query: string): Promise<R[]> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  return result.json<R>();
}
