import { describe, expect, it } from 'vitest';
import { statusAction } from './status-action';

describe('statusAction', () => {
  it.each([
    [200, 'accept'],
    [204, 'accept'],
    [301, 'drop'],
    [400, 'drop'],
    [401, 'drop'],
    [403, 'drop'],
    [404, 'drop'],
    [408, 'retry'],
    [413, 'split'],
    [415, 'drop'],
    [422, 'drop'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [504, 'retry'],
    [undefined, 'retry'],
  ] as const)('%s → %s', (status, action) => expect(statusAction(status)).toBe(action));
});
