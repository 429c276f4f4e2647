import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('@sluice/schema/wire', () => {
  it('reaches no zod and no platform API, so both SDKs can import it at no cost', async () => {
    const out = await build({
      entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.filter((path) => /node_modules|zod/.test(path))).toEqual([]);
    expect(inputs.every((path) => /packages\/schema\/src\/(wire\/|limits\.ts|types\.ts)/.test(path))).toBe(true);
  });
});
