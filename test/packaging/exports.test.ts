import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Loads every entry of every package's exports map from the built dist, in a plain Node process,
 * once with import() and once with require(), the way a user's app would. A broken exports map,
 * a missing file or a CJS build that cannot load fails here before it can be published.
 */
const root = join(import.meta.dirname, '..', '..');
const packages = readdirSync(join(root, 'packages')).map((dir) => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, unknown>;
  };
  const specifiers = Object.keys(manifest.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`));
  return { name: manifest.name, specifiers };
});

function exportNames(kind: 'esm' | 'cjs', specifier: string): string[] {
  const load =
    kind === 'esm'
      ? `import(${JSON.stringify(specifier)}).then((m) => console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort())))`
      : `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)})).sort()))`;
  const out = execFileSync(process.execPath, ['-e', load], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return JSON.parse(out.trim().split('\n').pop() ?? '[]') as string[];
}

describe.each(packages)('$name from dist', ({ specifiers }) => {
  it.each(specifiers)('%s loads as ESM and as CJS with the same exports', (specifier) => {
    const esm = exportNames('esm', specifier);
    const cjs = exportNames('cjs', specifier);
    expect(cjs).toEqual(esm);
  });
});

it('@sluice/schema exposes its runtime API from dist', () => {
  expect(exportNames('esm', '@sluice/schema')).toEqual(
    expect.arrayContaining(['LIMITS', 'parseBatch', 'parseEvent', 'defineTaxonomy', 'propertyTypeHints', 'taxonomyToJsonSchema']),
  );
});
