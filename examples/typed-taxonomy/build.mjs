// Bundles the browser app (without zod: it imports only the taxonomy's type) and the Node entry point.
import { build } from 'esbuild';

const here = (path) => new URL(path, import.meta.url).pathname;
const browser = await build({
  entryPoints: [here('./src/browser-app.ts')],
  outfile: here('./dist/browser-app.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  metafile: true,
});
const inputs = Object.keys(browser.metafile.inputs);
if (inputs.some((input) => input.includes('node_modules/zod'))) throw new Error('zod ended up in the browser bundle');
await build({
  entryPoints: [here('./src/main.ts')],
  outfile: here('./dist/main.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external', // @sluice/*, chdb and zod load from node_modules at run time
});
console.log('built examples/typed-taxonomy/dist/{browser-app,main}.js (the browser bundle has no zod)');
