import { describe, expect, it } from 'vitest';
import { createAnalytics } from './analytics';

/**
 * The exact bytes of `POST /v1/batch` bodies, frozen before `track()` was made cheaper (its event
 * object built in one literal, in wire order): a change in field order, in a header's width or in
 * what is left out shows up here, not at the collector.
 */
async function bodies(encoding: 'msgpack' | 'json') {
  const sent: string[] = [];
  const analytics = createAnalytics({
    writeKey: 'k',
    endpoint: 'http://collector.test',
    encoding,
    context: { app: { name: 'shop', version: '1.2.3' } },
    now: () => Date.UTC(2025, 5, 1, 12, 34, 56, 789),
    fetch: async (_url, init) => {
      sent.push(Buffer.from(init?.body as Uint8Array).toString(encoding === 'json' ? 'utf8' : 'base64'));
      return Response.json({ success: true, accepted: 0, rejected: [] });
    },
  });
  const id = (n: number) => `0197${n}a2e-1234-7abc-8def-0123456789ab`;
  const long = 'a string of 40 ASCII characters (a str8)';
  analytics.track({ messageId: id(1), event: 'Order Placed', userId: 'u1', properties: { plan: 'pro', total: 1.5, items: 3, coupon: null, long, text: 'héllo wörld, ünïcode', at: new Date(0) } });
  analytics.track({ messageId: id(2), event: 'Signed Up', anonymousId: 'a1', timestamp: 1_700_000_000_000 });
  analytics.track({ messageId: id(3), event: 'Checkout', userId: 'u2', anonymousId: 'a2', timestamp: '2025-01-01T00:00:00.000Z', context: { ip: '1.2.3.4' }, integrations: { All: false } });
  analytics.identify({ messageId: id(4), userId: 'u1', traits: { email: 'a@b.c', name: long } });
  analytics.page({ messageId: id(5), anonymousId: 'a1', name: 'Home', category: 'Docs', properties: { path: '/' } });
  analytics.screen({ messageId: id(6), userId: 'u1', name: 'Settings' });
  analytics.group({ messageId: id(7), userId: 'u1', groupId: 'g1', traits: { plan: 'team' } });
  analytics.alias({ messageId: id(8), userId: 'u1', previousId: 'a1' });
  await analytics.flush();
  await analytics.shutdown();
  return sent;
}

describe('POST /v1/batch bodies', () => {
  it('keeps the msgpack bytes of every call type', async () => {
    expect(await bodies('msgpack')).toMatchInlineSnapshot(`
      [
        "g6ViYXRjaJiGpHR5cGWldHJhY2upbWVzc2FnZUlk2SQwMTk3MWEyZS0xMjM0LTdhYmMtOGRlZi0wMTIzNDU2Nzg5YWKpdGltZXN0YW1wuDIwMjUtMDYtMDFUMTI6MzQ6NTYuNzg5WqVldmVudKxPcmRlciBQbGFjZWSqcHJvcGVydGllc4ekcGxhbqNwcm+ldG90YWzLP/gAAAAAAAClaXRlbXMDpmNvdXBvbsCkbG9uZ9koYSBzdHJpbmcgb2YgNDAgQVNDSUkgY2hhcmFjdGVycyAoYSBzdHI4KaR0ZXh0uGjDqWxsbyB3w7ZybGQsIMO8bsOvY29kZaJhdLgxOTcwLTAxLTAxVDAwOjAwOjAwLjAwMFqmdXNlcklkonUxhqR0eXBlpXRyYWNrqW1lc3NhZ2VJZNkkMDE5NzJhMmUtMTIzNC03YWJjLThkZWYtMDEyMzQ1Njc4OWFiqXRpbWVzdGFtcLgyMDIzLTExLTE0VDIyOjEzOjIwLjAwMFqlZXZlbnSpU2lnbmVkIFVwqnByb3BlcnRpZXOAq2Fub255bW91c0lkomExiaR0eXBlpXRyYWNrqW1lc3NhZ2VJZNkkMDE5NzNhMmUtMTIzNC03YWJjLThkZWYtMDEyMzQ1Njc4OWFiqXRpbWVzdGFtcLgyMDI1LTAxLTAxVDAwOjAwOjAwLjAwMFqlZXZlbnSoQ2hlY2tvdXSqcHJvcGVydGllc4CmdXNlcklkonUyq2Fub255bW91c0lkomEyp2NvbnRleHSDo2FwcIKkbmFtZaRzaG9wp3ZlcnNpb26lMS4yLjOnbGlicmFyeYKkbmFtZbBAc2x1aWNlL3Nkay1ub2Rlp3ZlcnNpb26lMC4wLjCiaXCnMS4yLjMuNKxpbnRlZ3JhdGlvbnOBo0FsbMKFpHR5cGWoaWRlbnRpZnmpbWVzc2FnZUlk2SQwMTk3NGEyZS0xMjM0LTdhYmMtOGRlZi0wMTIzNDU2Nzg5YWKpdGltZXN0YW1wuDIwMjUtMDYtMDFUMTI6MzQ6NTYuNzg5WqZ0cmFpdHOCpWVtYWlspWFAYi5jpG5hbWXZKGEgc3RyaW5nIG9mIDQwIEFTQ0lJIGNoYXJhY3RlcnMgKGEgc3RyOCmmdXNlcklkonUxh6R0eXBlpHBhZ2WpbWVzc2FnZUlk2SQwMTk3NWEyZS0xMjM0LTdhYmMtOGRlZi0wMTIzNDU2Nzg5YWKpdGltZXN0YW1wuDIwMjUtMDYtMDFUMTI6MzQ6NTYuNzg5WqRuYW1lpEhvbWWoY2F0ZWdvcnmkRG9jc6pwcm9wZXJ0aWVzgaRwYXRooS+rYW5vbnltb3VzSWSiYTGGpHR5cGWmc2NyZWVuqW1lc3NhZ2VJZNkkMDE5NzZhMmUtMTIzNC03YWJjLThkZWYtMDEyMzQ1Njc4OWFiqXRpbWVzdGFtcLgyMDI1LTA2LTAxVDEyOjM0OjU2Ljc4OVqkbmFtZahTZXR0aW5nc6pwcm9wZXJ0aWVzgKZ1c2VySWSidTGGpHR5cGWlZ3JvdXCpbWVzc2FnZUlk2SQwMTk3N2EyZS0xMjM0LTdhYmMtOGRlZi0wMTIzNDU2Nzg5YWKpdGltZXN0YW1wuDIwMjUtMDYtMDFUMTI6MzQ6NTYuNzg5Wqdncm91cElkomcxpnRyYWl0c4GkcGxhbqR0ZWFtpnVzZXJJZKJ1MYWkdHlwZaVhbGlhc6ltZXNzYWdlSWTZJDAxOTc4YTJlLTEyMzQtN2FiYy04ZGVmLTAxMjM0NTY3ODlhYql0aW1lc3RhbXC4MjAyNS0wNi0wMVQxMjozNDo1Ni43ODlaqnByZXZpb3VzSWSiYTGmdXNlcklkonUxpnNlbnRBdLgyMDI1LTA2LTAxVDEyOjM0OjU2Ljc4OVqnY29udGV4dIKjYXBwgqRuYW1lpHNob3CndmVyc2lvbqUxLjIuM6dsaWJyYXJ5gqRuYW1lsEBzbHVpY2Uvc2RrLW5vZGWndmVyc2lvbqUwLjAuMA==",
      ]
    `);
  });

  it('keeps the JSON of every call type', async () => {
    expect(await bodies('json')).toMatchInlineSnapshot(`
      [
        "{"batch":[{"type":"track","messageId":"01971a2e-1234-7abc-8def-0123456789ab","timestamp":"2025-06-01T12:34:56.789Z","event":"Order Placed","properties":{"plan":"pro","total":1.5,"items":3,"coupon":null,"long":"a string of 40 ASCII characters (a str8)","text":"héllo wörld, ünïcode","at":"1970-01-01T00:00:00.000Z"},"userId":"u1"},{"type":"track","messageId":"01972a2e-1234-7abc-8def-0123456789ab","timestamp":"2023-11-14T22:13:20.000Z","event":"Signed Up","properties":{},"anonymousId":"a1"},{"type":"track","messageId":"01973a2e-1234-7abc-8def-0123456789ab","timestamp":"2025-01-01T00:00:00.000Z","event":"Checkout","properties":{},"userId":"u2","anonymousId":"a2","context":{"app":{"name":"shop","version":"1.2.3"},"library":{"name":"@sluice/sdk-node","version":"0.0.0"},"ip":"1.2.3.4"},"integrations":{"All":false}},{"type":"identify","messageId":"01974a2e-1234-7abc-8def-0123456789ab","timestamp":"2025-06-01T12:34:56.789Z","traits":{"email":"a@b.c","name":"a string of 40 ASCII characters (a str8)"},"userId":"u1"},{"type":"page","messageId":"01975a2e-1234-7abc-8def-0123456789ab","timestamp":"2025-06-01T12:34:56.789Z","name":"Home","category":"Docs","properties":{"path":"/"},"anonymousId":"a1"},{"type":"screen","messageId":"01976a2e-1234-7abc-8def-0123456789ab","timestamp":"2025-06-01T12:34:56.789Z","name":"Settings","properties":{},"userId":"u1"},{"type":"group","messageId":"01977a2e-1234-7abc-8def-0123456789ab","timestamp":"2025-06-01T12:34:56.789Z","groupId":"g1","traits":{"plan":"team"},"userId":"u1"},{"type":"alias","messageId":"01978a2e-1234-7abc-8def-0123456789ab","timestamp":"2025-06-01T12:34:56.789Z","previousId":"a1","userId":"u1"}],"sentAt":"2025-06-01T12:34:56.789Z","context":{"app":{"name":"shop","version":"1.2.3"},"library":{"name":"@sluice/sdk-node","version":"0.0.0"}}}",
      ]
    `);
  });
});
