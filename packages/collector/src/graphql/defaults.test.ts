import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELD_COSTS, QUERY_API_DEFAULTS } from './defaults';

/** docs/querying.md quotes the limits, costs and cache rule: it must say what the code does. */
describe('docs/querying.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'querying.md'), 'utf8');
  const limits = doc.slice(doc.indexOf('### Limits and errors'), doc.indexOf('## The cache'));

  it('quotes the limits as QUERY_API_DEFAULTS sets them', () => {
    expect(limits).toContain(`| depth of a document (introspection not counted) | ${QUERY_API_DEFAULTS.maxDepth} |`);
    expect(limits).toContain(`| ${QUERY_API_DEFAULTS.maxCost} | HTTP 400, \`the query costs N, more than the limit of ${QUERY_API_DEFAULTS.maxCost}`);
    expect(limits).toContain(`| ${QUERY_API_DEFAULTS.queryTimeoutMs / 1000} s |`);
    expect(limits).toContain(`| ${QUERY_API_DEFAULTS.maxBodyBytes / 1024} KiB |`);
    expect(doc).toContain(`(${QUERY_API_DEFAULTS.cacheTtlMs / 1000} s by default)`);
    expect(doc).toContain(`(${QUERY_API_DEFAULTS.cacheMaxBytes / 1024 / 1024} MiB by default`);
  });

  it('quotes every field cost', () => {
    const priced = Object.entries(FIELD_COSTS).filter(([, cost]) => cost > 0);
    for (const [field, cost] of priced) expect(limits).toMatch(new RegExp(`\`${field}\`[^|]*? ${cost}[;,]`));
  });
});
