import { describe, expect, it } from 'vitest';
import { createReadKeyStore } from '../http/read-keys';
import { createGraphqlHandler } from './create-graphql';

const answers = { range: () => ({ from: 0, to: 86_400_000 }) } as never;
const handler = createGraphqlHandler({ answers, readKeys: createReadKeyStore({ 'read-key-1': 'web' }, ['write-key-1']), endpoint: '/graphql' });
const post = (headers: Record<string, string>) =>
  handler(new Request('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"query":"{ range { from } }"}' }));

describe('GraphQL handler', () => {
  it('answers a CORS preflight without a key, and nothing else without one', async () => {
    const preflight = await handler(
      new Request('http://x/graphql', { method: 'OPTIONS', headers: { origin: 'https://bi.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } }),
    );
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://bi.example.com');
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer write-key-1' })).status).toBe(401);
    const ok = await post({ authorization: 'Bearer read-key-1' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: { range: { from: string } } }).data.range.from).toBe('1970-01-01T00:00:00.000Z');
  });
});
