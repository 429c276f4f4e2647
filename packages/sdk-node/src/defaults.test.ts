import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '@sluice/schema/wire';
import { NODE_SDK_DEFAULTS } from './defaults';
import { SDK_VERSION } from './version';

const root = new URL('..', import.meta.url);

describe('defaults and docs stay in sync', () => {
  it('the README options table quotes every default of NODE_SDK_DEFAULTS', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const flat: [string, unknown][] = [];
    for (const [key, value] of Object.entries(NODE_SDK_DEFAULTS)) {
      if (typeof value === 'object') for (const [sub, v] of Object.entries(value)) flat.push([`${key}.${sub}`, v]);
      else flat.push([key, value]);
    }
    for (const [key, value] of flat) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${key}\``));
      expect(row, `README has a row for ${key}`).toBeDefined();
      expect(row, `README row of ${key}`).toContain(`\`${JSON.stringify(value)}\``);
    }
  });

  it('SDK_VERSION is the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
  });

  it('defaults are within the protocol limits', () => {
    expect(NODE_SDK_DEFAULTS.flushAt).toBeLessThanOrEqual(LIMITS.maxBatchEvents);
    expect(NODE_SDK_DEFAULTS.maxBatchBytes).toBeLessThanOrEqual(LIMITS.maxBatchBytes);
  });
});
