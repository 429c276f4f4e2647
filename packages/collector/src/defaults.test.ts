import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from './defaults';

/** The README's defaults table is documentation users copy from: it must say what the code does. */
describe('README defaults table', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Defaults'), readme.indexOf('## The `sluice` CLI'));
  const rows = [...section.matchAll(/^\| `(\w+)` \| `([^`]*)` \|$/gm)].map((m) => [m[1]!, m[2]!] as const);

  it('lists defaults', () => {
    expect(rows.length).toBeGreaterThan(10);
  });

  it.each(rows)('%s is %s, as in DEFAULTS', (key, value) => {
    expect(Object.hasOwn(DEFAULTS, key)).toBe(true);
    expect(String(DEFAULTS[key as keyof typeof DEFAULTS])).toBe(value);
  });
});
