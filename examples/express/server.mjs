// The Sluice collector inside an Express app, on embedded ClickHouse (chDB).
// Run from the repo root: npm run start -w @sluice-examples/express
import { once } from 'node:events';
import { createCollector } from '@sluice/collector';
import { createExpressMiddleware } from '@sluice/collector/express';
import { createAnalytics } from '@sluice/sdk-node';
import express from 'express';

const port = Number(process.env.PORT ?? 8081);
const host = process.env.HOST ?? '127.0.0.1';
const writeKey = process.env.SLUICE_WRITE_KEY ?? 'demo-write-key';
const dataDir = process.env.SLUICE_DATA ?? '.sluice/express-data';
const walDir = process.env.SLUICE_WAL ?? '.sluice/express-wal'; // acknowledged events wait here until they are in ClickHouse

const collector = createCollector({ writeKeys: { [writeKey]: 'express-example' }, engine: { embedded: { path: dataDir } }, wal: { dir: walDir } });
// Connected and migrated, or throws with what to fix. `engine.client` queries what landed: with
// chDB it is the only client that can read this data directory while the collector runs.
const { engine } = await collector.ready();

const app = express();
app.use('/collect', createExpressMiddleware(collector)); // before any body parser
app.use(express.json());

app.post('/signup', (req, res) => {
  const userId = String(req.body?.userId ?? 'user-1');
  const messageId = analytics.track({ event: 'Signup Completed', userId, properties: { plan: req.body?.plan ?? 'free' } });
  res.json({ tracked: 'Signup Completed', messageId });
});
app.get('/recent', async (_req, res) => {
  res.json(await recentEvents());
});

const server = app.listen(port, host);
await once(server, 'listening');
const url = `http://${host}:${server.address().port}`;

// Server-side tracking into the collector mounted above.
const analytics = createAnalytics({ writeKey, endpoint: `${url}/collect`, flushIntervalMs: 200 });
analytics.track({ event: 'Server Started', anonymousId: 'express-example', properties: { framework: 'express' } });

console.log(`listening on ${url}`);
console.log(`  collector:  ${url}/collect/v1/batch   (write key "${writeKey}")`);
console.log(`  track:      curl -X POST ${url}/signup -H 'content-type: application/json' -d '{"userId":"ada","plan":"pro"}'`);
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
