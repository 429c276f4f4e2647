// One node:http server: the demo page, the browser SDK bundle, and the collector on every other path.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequestListener } from '@sluice/collector/node';
import { build } from 'esbuild';

async function bundleBrowserSdk() {
  const result = await build({
    stdin: { contents: "export { createAnalytics } from '@sluice/sdk-browser';", resolveDir: import.meta.dirname, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  });
  return result.outputFiles[0].text;
}

/** `countEvents` answers the page's live counter (`GET /demo/stats`). */
export async function startServer({ collector, port, host, writeKey, countEvents }) {
  const [page, sdk] = await Promise.all([readFile(new URL('./public/index.html', import.meta.url), 'utf8'), bundleBrowserSdk()]);
  const collectorListener = createRequestListener(collector);
  const html = page.replace('__WRITE_KEY__', writeKey);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (req.method === 'GET' && path === '/sluice.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(sdk);
    } else if (req.method === 'GET' && path === '/demo/stats') {
      countEvents().then(
        (events) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ events })),
        () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"events":null}'),
      );
    } else {
      collectorListener(req, res);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  return { server, url: `http://${host}:${address.port}` };
}
