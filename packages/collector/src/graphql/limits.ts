import type { ASTVisitor, FragmentDefinitionNode, SelectionSetNode, ValidationContext } from 'graphql';
import { GraphQLError, Kind } from 'graphql';
import { FIELD_COSTS } from './defaults';

/**
 * Refuses documents deeper than `maxDepth` selections (fragments followed; introspection's
 * `__schema` and `__type` not counted, so tools can still read the schema).
 */
export function depthLimit(maxDepth: number): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    OperationDefinition(operation) {
      const depth = measure(operation.selectionSet, context, 0, new Set(), () => {});
      if (depth > maxDepth) {
        context.reportError(
          new GraphQLError(`the query is ${depth} levels deep, more than the limit of ${maxDepth}: ask for fewer nested fields (or raise queryApi.maxDepth)`, {
            nodes: [operation],
            extensions: { code: 'DEPTH_LIMIT' },
          }),
        );
      }
    },
  });
}

/**
 * Refuses documents whose cost, the sum of `FIELD_COSTS` over the questions asked (each root field;
 * an alias or a repeated fragment asks again), passes `maxCost`.
 */
export function costLimit(maxCost: number): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    OperationDefinition(operation) {
      let cost = 0;
      measure(operation.selectionSet, context, 0, new Set(), (name, depth) => {
        if (depth === 1) cost += FIELD_COSTS[name] ?? 0;
      });
      if (cost > maxCost) {
        const priced = Object.entries(FIELD_COSTS).filter(([, c]) => c > 0).map(([n, c]) => `${n} ${c}`).join(', ');
        context.reportError(
          new GraphQLError(`the query costs ${cost}, more than the limit of ${maxCost}: split it into several requests (costs: ${priced}), or raise queryApi.maxCost`, {
            nodes: [operation],
            extensions: { code: 'COST_LIMIT', cost, maxCost },
          }),
        );
      }
    },
  });
}

/** Walks a selection set, calling `visit` per field. Returns the deepest depth reached. */
function measure(
  set: SelectionSetNode,
  context: ValidationContext,
  depth: number,
  fragments: Set<string>,
  visit: (name: string, depth: number) => void,
): number {
  let deepest = depth;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      visit(name, depth + 1);
      deepest = Math.max(deepest, depth + 1);
      if (selection.selectionSet) deepest = Math.max(deepest, measure(selection.selectionSet, context, depth + 1, fragments, visit));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, measure(selection.selectionSet, context, depth, fragments, visit));
    } else {
      const name = selection.name.value;
      if (fragments.has(name)) continue; // a cycle: graphql's own rules report it
      const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(name);
      if (fragment) deepest = Math.max(deepest, measure(fragment.selectionSet, context, depth, new Set([...fragments, name]), visit));
    }
  }
  return deepest;
}
