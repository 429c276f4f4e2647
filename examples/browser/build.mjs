// Bundles src/app.js and @sluice/sdk-browser into dist/sluice.js, as any app's bundler would.
import { build } from 'esbuild';

const result = await build({
  entryPoints: [new URL('./src/app.js', import.meta.url).pathname],
  outfile: new URL('./dist/sluice.js', import.meta.url).pathname,
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`built examples/browser/dist/sluice.js (${bytes} bytes minified)`);
