import { afterEach, describe, expect, it, vi } from 'vitest';
import { requirement } from './requirements';

describe('requirement', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('fails the suite under CI=true when something it needs is missing, saying how to get it', () => {
    vi.stubEnv('CI', 'true');
    expect(() => requirement('Chromium (/usr/bin/chromium)', false, 'sudo apt-get install -y chromium')).toThrow(
      /Chromium \(\/usr\/bin\/chromium\) is missing: sudo apt-get install -y chromium \(CI=true/,
    );
    expect(requirement('Chromium', true, 'unused')).toBe(true);
  });

  it('skips with a warning outside CI', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requirement('clickhouse-server', false, 'sudo apt-get install -y clickhouse-server')).toBe(false);
    expect(warn.mock.calls[0]?.[0]).toMatch(/\[skipped\] clickhouse-server is missing: sudo apt-get install -y clickhouse-server/);
  });
});
