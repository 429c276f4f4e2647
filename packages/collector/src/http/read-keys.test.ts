import { describe, expect, it } from 'vitest';
import { addReadKeySpec, bearerKey, createReadKeyStore, type ReadKeys } from './read-keys';

describe('read keys', () => {
  it('grant one project or every project, and stand for themselves in a cookie by a hash only', () => {
    const keys = createReadKeyStore({ 'read-key-web': 'web', 'read-key-all': '*' }, ['write-key-1']);
    expect(keys.lookup('read-key-web')).toEqual({ project: 'web' });
    expect(keys.lookup('read-key-all')).toEqual({ project: undefined });
    expect(keys.lookup('write-key-1')).toBeUndefined();
    expect(keys.isWriteKey('write-key-1')).toBe(true);
    const session = keys.sessionValue('read-key-web');
    expect(session).not.toContain('read-key-web');
    expect(keys.lookupSession(session)).toEqual({ project: 'web' });
    expect(keys.lookupSession(`${session.slice(0, -1)}x`)).toBeUndefined();
    expect(keys.lookupSession('read-key-web')).toBeUndefined();
  });

  it('refuse a short key, a write key, and a spec without a key, saying what to do', () => {
    expect(() => createReadKeyStore({ short: 'web' })).toThrow(/at least 8 characters/);
    expect(() => createReadKeyStore({ 'same-key-1': 'web' }, ['same-key-1'])).toThrow(/also a write key: choose a separate --read-key/);
    const specs: ReadKeys = {};
    addReadKeySpec(specs, 'read-key-1=web', '--read-key');
    addReadKeySpec(specs, 'read-key-2', '--read-key');
    expect(specs).toEqual({ 'read-key-1': 'web', 'read-key-2': '*' });
    expect(() => addReadKeySpec(specs, '=web', '--read-key')).toThrow(/not KEY or KEY=PROJECT/);
    expect(bearerKey(new Headers({ authorization: 'Bearer  abc ' }))).toBe('abc');
    expect(bearerKey(new Headers({ authorization: 'Basic abc' }))).toBeUndefined();
  });
});
