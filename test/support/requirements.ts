import { existsSync } from 'node:fs';

/**
 * The one gate for suites that need something `npm ci` does not install: a browser, a
 * `clickhouse-server`, a built `dist`, a mount. Locally, a missing requirement skips the suite and
 * says how to get it. With `CI=true` it throws, so the suite fails instead of skipping silently:
 * CI (`.ci/run`) installs everything, and a suite that stopped running there would go unnoticed.
 *
 * Call it while the suite is collected: `describe.skipIf(!hasChromium())(…)`.
 */
export function requirement(what: string, available: boolean, fix: string): boolean {
  if (available) return true;
  const message = `${what} is missing: ${fix}`;
  if (isCi()) throw new Error(`${message} (CI=true, so the suites that need it fail instead of skipping)`);
  console.warn(`[skipped] ${message}`);
  return false;
}

export function isCi(): boolean {
  const value = process.env.CI;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** Debian's Chromium, driven through playwright-core (Playwright's own download is not used). */
export const CHROMIUM = '/usr/bin/chromium';

export function hasChromium(): boolean {
  return requirement(`Chromium (${CHROMIUM})`, existsSync(CHROMIUM), 'sudo apt-get install -y chromium');
}

/** Debian's clickhouse-server (ClickHouse 18.16), for transport and fault tests. */
export const CLICKHOUSE_SERVER = ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server'].find((path) => existsSync(path)) ?? 'clickhouse-server';

export function hasClickHouseServer(): boolean {
  return requirement(
    'clickhouse-server',
    existsSync(CLICKHOUSE_SERVER) && existsSync('/etc/clickhouse-server/config.xml'),
    'sudo apt-get install -y clickhouse-server',
  );
}
