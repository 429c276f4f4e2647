import { answerFrom, type Exchange } from './exchange';
import type { Core } from './handler';

/** Puts the dashboard in front of the collector's core at `path` (and below). */
export function withDashboard(core: Core, dashboard: (request: Request) => Promise<Response>, path: string): Core {
  return async (request: Exchange, info) => {
    const pathname = new URL(request.url, 'http://localhost').pathname;
    if (pathname === path || pathname.startsWith(`${path}/`)) return answerFrom(await dashboard(request.toRequest()));
    return core(request, info);
  };
}
