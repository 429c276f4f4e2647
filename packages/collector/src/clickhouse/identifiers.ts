import { CollectorError } from '../errors';

const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The one check of a database, cluster or table name. Names come from flags and config, so anything
 * outside `[A-Za-z0-9_]` is refused rather than escaped. Returns the name unquoted, for a
 * `{db:Identifier}` query parameter.
 */
export function plainName(name: string, what: string): string {
  if (!PLAIN.test(name)) {
    throw new CollectorError('config', `${what} "${name}" is not a plain ClickHouse name: use letters, digits and _ only`);
  }
  return name;
}

/** A database, cluster or table name, checked by `plainName` and backtick-quoted for SQL text. */
export function identifier(name: string, what: string): string {
  return `\`${plainName(name, what)}\``;
}

/**
 * A JSON path such as `cart.total`, backtick-quoted as one name: ClickHouse's JSON type reads the dots
 * inside it as nesting, which is how the taxonomy spells nested properties.
 */
export function quotePath(path: string): string {
  return `\`${path.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** A single-quoted SQL string literal. */
export function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const TOKEN = /^[A-Za-z0-9_.:\-]{1,200}$/;

/** Dedup tokens travel inside the INSERT's SETTINGS clause, so they are restricted to safe characters. */
export function checkToken(token: string): string {
  if (!TOKEN.test(token)) {
    throw new CollectorError('config', `batch token "${token.slice(0, 40)}" must be 1-200 characters of [A-Za-z0-9_.:-]`);
  }
  return token;
}
