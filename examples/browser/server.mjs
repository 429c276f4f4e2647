// Serves index.html and the bundle on one port, and the collector on another: the page sends
// cross-origin, as it would to collect.example.com, so the collector's CORS list matters.
// Run from the repo root: npm run start -w @sluice-examples/browser
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createCollector } from '@sluice/collector';
import { createRequestListener } from '@sluice/collector/node';

const port = Number(process.env.PORT ?? 8085);
const collectorPort = Number(process.env.COLLECTOR_PORT ?? (port === 0 ? 0 : port + 1));
const host = process.env.HOST ?? '127.0.0.1';
const writeKey = process.env.SLUICE_WRITE_KEY ?? 'demo-write-key';
const dataDir = process.env.SLUICE_DATA ?? '.sluice/browser-data';
const walDir = process.env.SLUICE_WAL ?? '.sluice/browser-wal'; // acknowledged events wait here until they are in ClickHouse
const file = (name) => new URL(name, import.meta.url);

// The page server first: the collector's CORS list names its origin.
const page = createServer((req, res) => void servePage(req, res));
page.listen(port, host);
await once(page, 'listening');
const pagePort = page.address().port;
const origins = [`http://127.0.0.1:${pagePort}`, `http://localhost:${pagePort}`];

const collector = createCollector({
  writeKeys: { [writeKey]: 'browser-example' },
  engine: { embedded: { path: dataDir } },
  wal: { dir: walDir },
  cors: origins, // browsers on any other origin get 403 (the default, '*', accepts any)
});
// Connected and migrated, or throws with what to fix. `engine.client` queries what landed: with
// chDB it is the only client that can read this data directory while the collector runs.
const { engine } = await collector.ready();
const collect = createServer(createRequestListener(collector));
collect.listen(collectorPort, host);
await once(collect, 'listening');
const collectorUrl = `http://${host}:${collect.address().port}`;
const url = `http://${host}:${pagePort}`;

console.log(`listening on ${url}   (open it and click the buttons)`);
console.log(`  collector on ${collectorUrl}   (CORS: ${origins.join(', ')})`);
console.log(`  what landed: curl ${url}/recent   (events are written within about a second)`);

async function servePage(req, res) {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  try {
    if (path === '/' || path === '/index.html') {
      const html = (await readFile(file('./index.html'), 'utf8'))
        .replace('%SLUICE_ENDPOINT%', collectorUrl)
        .replace('%SLUICE_WRITE_KEY%', writeKey);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (path === '/sluice.js') {
      const js = await readFile(file('./dist/sluice.js')).catch(() => undefined);
      if (!js) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('dist/sluice.js is missing: run npm run build -w @sluice-examples/browser\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js);
    } else if (path === '/recent') {
      const result = await engine.client.query({
        query: `SELECT type, event, user_id, anonymous_id, message_id, toString(received_at) AS received_at
                FROM sluice.events ORDER BY received_at DESC LIMIT 20`,
        format: 'JSONEachRow',
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await result.json()));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`);
  }
}

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: draining`);
  page.close();
  collect.close();
  page.closeIdleConnections();
  collect.closeIdleConnections();
  await collector.close(); // waits for requests in flight and writes what is buffered
  console.log('stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
