// Runs the collector with the taxonomy, sends from the typed Node service and from an untyped
// producer, prints what was stored and what was quarantined, and exits.
// Run from the repo root: npm run start -w @sluice-examples/typed-taxonomy
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCollector, createEngine } from '@sluice/collector';
import { createRequestListener } from '@sluice/collector/node';
import { createServiceAnalytics, orderPaid } from './service';
import { taxonomy } from './taxonomy';

const writeKey = process.env.SLUICE_WRITE_KEY ?? 'demo-write-key';
const dataDir = process.env.SLUICE_DATA ?? '.sluice/typed-taxonomy-data';

const engine = await createEngine({ embedded: { path: dataDir } });
// The same taxonomy value validates every event at the collector, whoever sent it.
const collector = createCollector({
  writeKeys: { [writeKey]: 'typed-taxonomy-example' },
  engine: { clickhouse: engine.client },
  taxonomy,
  ack: 'clickhouse', // answer once inserted, so the queries below see every event
});
await collector.ready();
const server = createServer(createRequestListener(collector));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
await once(server, 'listening');
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
console.log(`collector with the taxonomy on ${endpoint}`);

// 1. The typed Node service: these calls compile only because they match the taxonomy.
const analytics = createServiceAnalytics(endpoint, writeKey);
analytics.identify({ userId: 'ada', traits: { email: 'ada@example.com', plan: 'pro' } });
analytics.track({ event: 'Signup Completed', userId: 'ada', properties: { plan: 'pro', method: 'google' } });
orderPaid(analytics, 'ada', 'o-1001', 42.5);
await analytics.shutdown({ timeoutMs: 5_000 });

// 2. A producer that is not TypeScript (a cron job, a Python service) gets no compile error,
//    so the collector checks it: a misspelt name and a wrong property type go to quarantine.
const response = await fetch(`${endpoint}/v1/batch`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
  body: JSON.stringify({
    batch: [
      { type: 'track', messageId: `raw-${Date.now()}-1`, userId: 'bob', event: 'Order Plcaed', properties: { orderId: 'o-7', total: 10, currency: 'EUR' } },
      { type: 'track', messageId: `raw-${Date.now()}-2`, userId: 'bob', event: 'Order Placed', properties: { orderId: 'o-8', total: '10', currency: 'EUR' } },
      { type: 'track', messageId: `raw-${Date.now()}-3`, userId: 'bob', event: 'Search Performed', properties: { query: 'clickhouse', results: 3 } },
    ],
  }),
});
const answer = (await response.json()) as { accepted: number; rejected: { messageId: string; reason: string }[] };
console.log(`\nuntyped producer: ${answer.accepted} accepted, ${answer.rejected.length} rejected`);

const stored = await rows<{ type: string; event: string; user_id: string; message_id: string }>(
  `SELECT type, event, user_id, message_id FROM sluice.events FINAL
   WHERE project = 'typed-taxonomy-example' AND received_at > now() - INTERVAL 1 MINUTE ORDER BY received_at, message_id`,
);
console.log('\nsluice.events (this run):');
console.table(stored);
const quarantined = await rows<{ message_id: string; path: string; reason: string }>(
  `SELECT message_id, path, substring(reason, 1, 90) AS reason FROM sluice.events_quarantine
   WHERE project = 'typed-taxonomy-example' AND received_at > now() - INTERVAL 1 MINUTE ORDER BY message_id`,
);
console.log('sluice.events_quarantine (this run):');
console.table(quarantined);

server.close();
await collector.close();
await engine.close();

async function rows<T>(query: string): Promise<T[]> {
  const result = await engine.client.query({ query, format: 'JSONEachRow' });
  return result.json<T>();
}
