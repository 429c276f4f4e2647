// The published entry points, as a user resolves them (run `turbo run build` first).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { requirement } from '../../../../test/support/requirements';

const built = requirement('the built @sluice/sdk-browser (dist/index.js)', existsSync(new URL('../../dist/index.js', import.meta.url)), 'run npm run build');

describe.skipIf(!built)('@sluice/sdk-browser from dist', () => {
  it('imports (ESM) and requires (CJS) by package name, and is inert on a server', async () => {
    const esm = await import('@sluice/sdk-browser');
    const cjs = createRequire(import.meta.url)('@sluice/sdk-browser') as typeof esm;
    for (const mod of [esm, cjs]) {
      expect(mod.DEFAULTS.flushAt).toBeGreaterThan(0);
      const analytics = mod.createAnalytics({ writeKey: 'k', endpoint: 'http://127.0.0.1:9' });
      analytics.track('x');
      await expect(analytics.flush()).resolves.toBeUndefined();
      expect(analytics.stats.sent).toBe(0);
    }
  });
});
