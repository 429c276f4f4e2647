import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { headerCredential, bodyOrQueryCredential, createKeyStore } from './auth';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

describe('write key sources', () => {
  it('reads Basic base64(writeKey:) and Bearer', () => {
    expect(headerCredential(new Headers({ authorization: `Basic ${btoa('k1:')}` }))).toEqual({ writeKey: 'k1', source: 'basic' });
    expect(headerCredential(new Headers({ authorization: `basic ${btoa('k1:ignored')}` }))).toEqual({ writeKey: 'k1', source: 'basic' });
    expect(headerCredential(new Headers({ authorization: 'Bearer k2' }))).toEqual({ writeKey: 'k2', source: 'bearer' });
    expect(headerCredential(new Headers())).toBeUndefined();
    expect(() => headerCredential(new Headers({ authorization: `Basic ${btoa(':')}` }))).toThrow(/Basic base64\(writeKey:\)/);
  });

  it('reads the body before the query string', () => {
    const url = new URL('http://x/v1/batch?writeKey=q');
    expect(bodyOrQueryCredential({ writeKey: 'b' }, url)).toEqual({ writeKey: 'b', source: 'body' });
    expect(bodyOrQueryCredential({ writeKey: 5 }, url)).toEqual({ writeKey: 'q', source: 'query' });
    expect(bodyOrQueryCredential(null, new URL('http://x/'))).toBeUndefined();
  });
});

describe('key store', () => {
  it('compares against every key, wherever the match is (no early exit)', async () => {
    const store = createKeyStore({ a: 'pa', b: 'pb', c: 'pc' });
    const spy = vi.mocked(crypto.timingSafeEqual);
    for (const key of ['a', 'c', 'nope']) {
      spy.mockClear();
      await store.authenticate({ writeKey: key, source: 'bearer' }).catch(() => {});
      expect(spy).toHaveBeenCalledTimes(3);
      // Hashes make every comparison the same length, so length leaks nothing either.
      for (const [left, right] of spy.mock.calls) expect([(left as Buffer).length, (right as Buffer).length]).toEqual([32, 32]);
    }
  });

  it('maps keys to grants and refuses unknown ones with a 401 that says how to add them', async () => {
    const store = createKeyStore({ a: 'pa', b: { project: 'pb', origins: ['https://b.example'] } });
    expect(await store.authenticate({ writeKey: 'a', source: 'basic' })).toEqual({ project: 'pa' });
    expect(await store.authenticate({ writeKey: 'b', source: 'basic' })).toEqual({ project: 'pb', origins: ['https://b.example'] });
    expect(store.keyOrigins).toEqual(['https://b.example']);
    await expect(store.authenticate({ writeKey: 'zz', source: 'query' })).rejects.toMatchObject({ status: 401, code: 'unauthorized', message: expect.stringMatching(/--write-key zz=PROJECT/) });
    await expect(store.authenticate({ writeKey: 'a'.repeat(13), source: 'query' })).rejects.toMatchObject({ message: expect.stringMatching(/--write-key KEY=PROJECT/) });
  });

  it('does not treat inherited object keys as write keys', async () => {
    const store = createKeyStore({ a: 'pa' });
    await expect(store.authenticate({ writeKey: 'constructor', source: 'query' })).rejects.toMatchObject({ status: 401 });
    await expect(store.authenticate({ writeKey: '__proto__', source: 'query' })).rejects.toMatchObject({ status: 401 });
  });
});
