import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from 'express';
import { matchRoute } from './http/routes';
import { handleNodeRequest, type FetchHandler } from './node';

/**
 * Express middleware: `app.use('/collect', createExpressMiddleware(collector))`. Express strips the
 * mount path from `req.url`, so the collector needs no `basePath`. Paths that are not collector
 * endpoints go to `next()`. Mount it before body parsers such as `express.json()`: the collector
 * reads, limits and decompresses the raw body itself.
 */
export function createExpressMiddleware(collector: FetchHandler): (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => void {
  return (req, res, next) => {
    const path = req.url.split('?')[0] ?? '/';
    if (matchRoute(path, '').kind === 'unknown') {
      next();
      return;
    }
    if (req.readableEnded && req.body !== undefined) {
      next(new Error('a body parser consumed the request before the Sluice collector; mount createExpressMiddleware before express.json() and express.text()'));
      return;
    }
    handleNodeRequest(collector, req, res, req.url).catch(next);
  };
}
