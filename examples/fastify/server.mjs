// The Sluice collector as a Fastify plugin, on embedded ClickHouse (chDB).
// Run from the repo root: npm run start -w @sluice-examples/fastify
import { createCollector } from '@sluice/collector';
import { sluiceFastify } from '@sluice/collector/fastify';
import { createAnalytics } from '@sluice/sdk-node';
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 8082);
const host = process.env.HOST ?? '127.0.0.1';
const writeKey = process.env.SLUICE_WRITE_KEY ?? 'demo-write-key';
const dataDir = process.env.SLUICE_DATA ?? '.sluice/fastify-data';
const walDir = process.env.SLUICE_WAL ?? '.sluice/fastify-wal'; // acknowledged events wait here until they are in ClickHouse

const collector = createCollector({ writeKeys: { [writeKey]: 'fastify-example' }, engine: { embedded: { path: dataDir } }, wal: { dir: walDir } });
// Connected and migrated, or throws with what to fix. `engine.client` queries what landed: with
// chDB it is the only client that can read this data directory while the collector runs.
const { engine } = await collector.ready();

const app = Fastify();
// The plugin takes over body parsing inside its own prefix only; the routes below still get JSON.
await app.register(sluiceFastify, { collector, prefix: '/collect' });

app.post('/signup', async (request) => {
  const body = request.body ?? {};
  const messageId = analytics.track({ event: 'Signup Completed', userId: String(body.userId ?? 'user-1'), properties: { plan: body.plan ?? 'free' } });
  return { tracked: 'Signup Completed', messageId };
});
app.get('/recent', async () => {
  const result = await engine.client.query({
    query: `SELECT type, event, user_id, anonymous_id, message_id, toString(received_at) AS received_at
            FROM sluice.events ORDER BY received_at DESC LIMIT 20`,
    format: 'JSONEachRow',
  });
  return result.json();
});

await app.listen({ port, host });
const url = `http://${host}:${app.server.address().port}`;

// Server-side tracking into the collector registered above.
const analytics = createAnalytics({ writeKey, endpoint: `${url}/collect`, flushIntervalMs: 200 });
analytics.track({ event: 'Server Started', anonymousId: 'fastify-example', properties: { framework: 'fastify' } });

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
  await app.close();
  await collector.close(); // waits for requests in flight and writes what is buffered
  console.log('stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
