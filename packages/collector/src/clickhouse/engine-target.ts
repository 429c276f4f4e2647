import { resolve } from 'node:path';
import { DEFAULTS } from '../defaults';
import type { EngineOptions } from './engine';

/**
 * A one-line name of where an engine's rows go, such as `embedded /srv/.sluice/data, database sluice`
 * or `server http://ch:8123/, database sluice` (credentials never appear). Undefined for a
 * ready-made client, which cannot say where it points.
 */
export function engineTarget(options: EngineOptions): string | undefined {
  if ('embedded' in options) return `embedded ${resolve(options.embedded.path)}, database ${options.database ?? DEFAULTS.database}`;
  const given = options.clickhouse;
  if (!('url' in given) || typeof given.url !== 'string') return undefined;
  let where = given.url;
  try {
    const url = new URL(given.url);
    url.username = '';
    url.password = '';
    where = url.toString();
  } catch {
    // createEngine reports the bad URL with its fix.
  }
  return `server ${where}, database ${options.database ?? given.database ?? DEFAULTS.database}`;
}
