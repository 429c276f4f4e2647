import type { ClickHouseClient } from '@clickhouse/client';
import { createDashboard, type DashboardOptions } from '../dashboard';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import type { WriteKeys } from './auth';

/** What `createCollector({ dashboard })` takes; the collector supplies the client, database and path. */
export type CollectorDashboardOptions = Omit<DashboardOptions, 'client' | 'database' | 'writeKeys' | 'basePath'>;

type Handler = (request: Request, ...rest: never[]) => Promise<Response>;

/**
 * Puts the dashboard in front of the collector's handler at `{basePath}/dashboard`, querying the
 * collector's own engine (with chDB, the only client that can read its data directory).
 */
export function withDashboard<H extends Handler>(
  handler: H,
  options: {
    dashboard: CollectorDashboardOptions;
    basePath: string;
    database: string | undefined;
    writeKeys: WriteKeys;
    client: () => Promise<ClickHouseClient | undefined>;
  },
): H {
  const path = `${options.basePath}/dashboard`;
  const dashboard = createDashboard({
    ...options.dashboard,
    basePath: path,
    database: options.database ?? DEFAULTS.database,
    writeKeys: typeof options.writeKeys === 'function' ? [] : Object.keys(options.writeKeys),
    client: {
      query: async (params) => {
        const client = await options.client();
        if (!client) throw new CollectorError('config', 'the dashboard needs the collector to own an engine; it cannot read through a custom sink');
        return client.query(params);
      },
    },
  });
  return (async (request: Request, ...rest: never[]) => {
    const pathname = new URL(request.url).pathname;
    if (pathname === path || pathname.startsWith(`${path}/`)) return dashboard(request);
    return handler(request, ...rest);
  }) as H;
}
