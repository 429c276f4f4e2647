import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/** init + one track, bundled the way the issue measures peers. */
export const bundleInitAndTrack = async () => {
  const out = await build({
    stdin: { contents: `import { createAnalytics } from ${JSON.stringify(src)};\ncreateAnalytics({ writeKey: 'k', endpoint: '/c' }).track('x');`, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  });
  return out.outputFiles[0]!.text;
};

describe('size budget', () => {
  it('init + one track is at most 5,000 bytes minified and gzipped (-9), with no zod inside', async () => {
    const code = await bundleInitAndTrack();
    const gz = gzipSync(code, { level: constants.Z_BEST_COMPRESSION }).length;
    console.log(`sdk-browser init + track: ${code.length} B min, ${gz} B gzip -9`);
    expect(gz).toBeLessThanOrEqual(5_000);
    expect(code).not.toMatch(/zod|ZodError|ZodType|msgpackr/i);
    expect(code).not.toMatch(/\brequire\(/);
  });
});
