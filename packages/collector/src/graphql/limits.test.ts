import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { QUERY_API_DEFAULTS } from './defaults';
import { costLimit, depthLimit } from './limits';
import { TYPE_DEFS } from './schema';

const schema = buildSchema(TYPE_DEFS);
const check = (source: string) =>
  validate(schema, parse(source), [depthLimit(QUERY_API_DEFAULTS.maxDepth), costLimit(QUERY_API_DEFAULTS.maxCost)]).map((e) => e.message);

describe('query limits', () => {
  it('lets an ordinary dashboard query and introspection through', () => {
    expect(check('{ funnel(steps: ["A", "B"]) { step users } trends { buckets series { event counts } } topEvents { event count } }')).toEqual([]);
    expect(check('{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }')).toEqual([]);
  });

  it('refuses a document that costs too much, counting aliases and fragments, and says how to fix it', () => {
    const aliases = Array.from({ length: 5 }, (_, i) => `f${i}: funnel(steps: ["A"]) { users }`).join(' ');
    const [message] = check(`{ ${aliases} }`);
    expect(message).toMatch(/costs 50, more than the limit of 40: split it into several requests/);
    expect(check('fragment F on Query { funnel(steps: ["A"]) { users } } { a: retention(start: "A", returning: "B") { period } ...F ...F b: retention(start: "A", returning: "B") { period } x: trends { source } }')).toEqual([
      expect.stringMatching(/costs 45/),
    ]);
  });

  it('refuses a document deeper than the limit', () => {
    const depthy = buildSchema('type Node { child: Node, id: Int } type Query { root: Node }');
    const errors = validate(depthy, parse('{ root { child { child { child { child { child { child { id } } } } } } } }'), [depthLimit(6)]);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/8 levels deep, more than the limit of 6/)]);
  });
});
