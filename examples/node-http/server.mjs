// The Sluice collector as a plain node:http server, on embedded ClickHouse (chDB).
// Run from the repo root: npm run start -w @sluice-examples/node-http
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createCollector } from '@sluice/collector';
import { createRequestListener } from '@sluice/collector/node';
import { createAnalytics } from '@sluice/sdk-node';

const port = Number(process.env.PORT ?? 8083);
const host = process.env.HOST ?? '127.0.0.1';
const writeKey = process.env.SLUICE_WRITE_KEY ?? 'demo-write-key';
const dataDir = process.env.SLUICE_DATA ?? '.sluice/node-http-data';
const walDir = process.env.SLUICE_WAL ?? '.sluice/node-http-wal'; // acknowledged events wait here until they are in ClickHouse

const collector = createCollector({ writeKeys: { [writeKey]: 'node-http-example' }, engine: { embedded: { path: dataDir } }, wal: { dir: walDir } });
// Connected and migrated, or throws with what to fix. `engine.client` queries what landed: with
// chDB it is the only client that can read this data directory while the collector runs.
const { engine } = await collector.ready();

// The collector answers its own paths (/v1/batch, /v1/track, …, /health, /ready, /metrics) at the root.
const sluice = createRequestListener(collector);
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/recent') {
    recentEvents().then(
      (rows) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rows)),
      (error) => res.writeHead(500).end(String(error)),
    );
    return;
  }
  sluice(req, res);
});
server.listen(port, host);
await once(server, 'listening');
const url = `http://${host}:${server.address().port}`;

// A few events from a "service" with the Node SDK, so there is something to look at.
const analytics = createAnalytics({ writeKey, endpoint: url, flushIntervalMs: 200 });
analytics.identify({ userId: 'ada', traits: { plan: 'pro', email: 'ada@example.com' } });
analytics.track({ event: 'Order Placed', userId: 'ada', properties: { total: 42.5, currency: 'EUR' } });
analytics.page({ anonymousId: 'visitor-7', name: 'Pricing', properties: { path: '/pricing' } });

console.log(`listening on ${url}`);
console.log(`  collector:  ${url}/v1/batch   (write key "${writeKey}")`);
console.log(`  track:      curl -X POST ${url}/v1/track -u ${writeKey}: -H 'content-type: application/json' -d '{"event":"Button Clicked","userId":"ada"}'`);
console.log(`  what landed: curl ${url}/recent   (events are written within about a second)`);

async function recentEvents() {
  const result = await engine.client.query({
    query: `SELECT type, event, user_id, anonymous_id, message_id, toString(received_at) AS received_at
            FROM sluice.events ORDER BY received_at DESC LIMIT 20`,
    format: 'JSONEachRow',
  });
  return result.json();
}

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: draining`);
  await analytics.shutdown({ timeoutMs: 5_000 }); // the SDK's queue goes to the collector first
  server.close();
  server.closeIdleConnections();
  await collector.close(); // waits for requests in flight and writes what is buffered
  console.log('stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
