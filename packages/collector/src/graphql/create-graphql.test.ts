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

describe('GraphQL request bodies', () => {
  it('refuses a body past the limit, declared or streamed, with what to do', async () => {
    const small = createGraphqlHandler({ answers, readKeys: createReadKeyStore({ 'read-key-1': 'web' }), endpoint: '/graphql', maxBodyBytes: 64 });
    const big = JSON.stringify({ query: `{ range(since: "${'1'.repeat(100)}d") { from } }` });
    const declared = await small(new Request('http://x/graphql', { method: 'POST', headers: { authorization: 'Bearer read-key-1', 'content-type': 'application/json' }, body: big }));
    expect(declared.status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await small(
      new Request('http://x/graphql', { method: 'POST', headers: { authorization: 'Bearer read-key-1', 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { errors: Array<{ message: string }> }).errors[0]?.message).toMatch(/larger than 64 bytes: send a shorter query/);
  });
});
