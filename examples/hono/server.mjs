// The Sluice collector's Fetch-API handler in a Hono app, on embedded ClickHouse (chDB).
// The same `collector.fetch` runs in any Fetch runtime; @hono/node-server serves it on Node here.
// Run from the repo root: npm run start -w @sluice-examples/hono
import { once } from 'node:events';
import { serve } from '@hono/node-server';
import { createCollector } from '@sluice/collector';
import { createAnalytics } from '@sluice/sdk-node';
import { Hono } from 'hono';

const port = Number(process.env.PORT ?? 8084);
const host = process.env.HOST ?? '127.0.0.1';
const writeKey = process.env.SLUICE_WRITE_KEY ?? 'demo-write-key';
const dataDir = process.env.SLUICE_DATA ?? '.sluice/hono-data';
const walDir = process.env.SLUICE_WAL ?? '.sluice/hono-wal'; // acknowledged events wait here until they are in ClickHouse

const collector = createCollector({
  writeKeys: { [writeKey]: 'hono-example' },
  engine: { embedded: { path: dataDir } },
  wal: { dir: walDir },
  basePath: '/collect', // Hono passes the full URL, so the collector strips the mount path itself
});
// Connected and migrated, or throws with what to fix. `engine.client` queries what landed: with
// chDB it is the only client that can read this data directory while the collector runs.
const { engine } = await collector.ready();

const app = new Hono();
// c.env is @hono/node-server's { incoming, outgoing }: the collector reads the client address from it.
app.all('/collect/*', (c) => collector.fetch(c.req.raw, c.env));
app.post('/signup', async (c) => {
  const body = await c.req.json().catch(() => ({}));
  const messageId = analytics.track({ event: 'Signup Completed', userId: String(body.userId ?? 'user-1'), properties: { plan: body.plan ?? 'free' } });
  return c.json({ tracked: 'Signup Completed', messageId });
});
app.get('/recent', async (c) => {
  const result = await engine.client.query({
    query: `SELECT type, event, user_id, anonymous_id, message_id, toString(received_at) AS received_at
            FROM sluice.events ORDER BY received_at DESC LIMIT 20`,
    format: 'JSONEachRow',
  });
  return c.json(await result.json());
});

const server = serve({ fetch: app.fetch, port, hostname: host });
await once(server, 'listening');
const url = `http://${host}:${server.address().port}`;

// Server-side tracking into the collector mounted above.
const analytics = createAnalytics({ writeKey, endpoint: `${url}/collect`, flushIntervalMs: 200 });
analytics.track({ event: 'Server Started', anonymousId: 'hono-example', properties: { framework: 'hono' } });

console.log(`listening on ${url}`);
console.log(`  collector:  ${url}/collect/v1/batch   (write key "${writeKey}")`);
console.log(`  track:      curl -X POST ${url}/signup -H 'content-type: application/json' -d '{"userId":"ada","plan":"pro"}'`);
console.log(`  what landed: curl ${url}/recent   (events are written within about a second)`);

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: draining`);
  await analytics.shutdown({ timeoutMs: 5_000 }); // the SDK's queue goes to the collector first
  server.close();
  server.closeIdleConnections?.();
  await collector.close(); // waits for requests in flight and writes what is buffered
  console.log('stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
