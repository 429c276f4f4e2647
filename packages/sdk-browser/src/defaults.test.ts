import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '@sluice/schema';
import { DEFAULTS } from './defaults';
import { KEEPALIVE_MAX } from './transport';
import { LIBRARY } from './version';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('DEFAULTS', () => {
  it('fit the wire protocol limits and the browser keepalive/beacon limit', () => {
    expect(DEFAULTS.maxEventBytes).toBe(LIMITS.maxEventBytes);
    expect(DEFAULTS.maxBatchBytes).toBeLessThanOrEqual(LIMITS.maxBatchBytes);
    expect(DEFAULTS.maxBatchBytes).toBeLessThan(KEEPALIVE_MAX);
    expect(DEFAULTS.flushAt).toBeLessThanOrEqual(LIMITS.maxBatchEvents);
  });

  it('are exactly what the README options table says', () => {
    const rows = new Map(
      [...readme.matchAll(/^\| `(\w+)` \| `([^`]*)` \|/gm)].map((m) => [m[1]!, m[2]!]),
    );
    for (const [key, value] of Object.entries(DEFAULTS)) {
      expect(rows.get(key), `README row for ${key}`).toBe(typeof value == 'string' ? `'${value}'` : String(value));
    }
    const documented = [...rows.keys()].filter((k) => !['writeKey', 'endpoint', 'beforeSend', 'platform'].includes(k));
    expect(documented.sort()).toEqual(Object.keys(DEFAULTS).sort());
  });

  it('send the package version as context.library', () => {
    expect(LIBRARY).toEqual({ name: pkg.name, version: pkg.version });
  });
});
