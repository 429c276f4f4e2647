type Handler = (request: Request, ...rest: never[]) => Promise<Response>;

/** Puts the dashboard in front of the collector's handler at `path` (and below). */
export function withDashboard<H extends Handler>(handler: H, dashboard: (request: Request) => Promise<Response>, path: string): H {
  return (async (request: Request, ...rest: never[]) => {
    const pathname = new URL(request.url).pathname;
    if (pathname === path || pathname.startsWith(`${path}/`)) return dashboard(request);
    return handler(request, ...rest);
  }) as H;
}
