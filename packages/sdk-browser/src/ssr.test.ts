// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';

describe('server rendering (no window, no document, no localStorage)', () => {
  it('imports and runs every call without throwing, sending nothing and scheduling nothing', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const timerSpy = vi.spyOn(globalThis, 'setTimeout');
    const { createAnalytics } = await import('./index');
    const analytics = createAnalytics({ writeKey: 'k', endpoint: 'http://127.0.0.1:9/' });
    analytics.track('x', { a: 1 });
    analytics.page('Home');
    analytics.identify('u');
    analytics.group('g');
    analytics.alias('v');
    analytics.reset();
    analytics.optOut();
    analytics.optIn();
    await expect(analytics.flush()).resolves.toBeUndefined();
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(timerSpy).not.toHaveBeenCalled();
    expect(analytics.stats).toEqual({ sent: 0, rejected: 0, dropped: 0, failed: 0 });
    fetchSpy.mockRestore();
    timerSpy.mockRestore();
  });
});
