import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import type { CliConfig } from './config';

/** What a long-running command (`sluice serve`, `sluice consume`) prints to and exits through. */
export interface CommandIo {
  out: (line: string) => void;
  logger: Logger;
  /** Called once the process may exit, with its code. */
  exit: (code: number) => void;
  /** Called once the server listens. */
  listening?: () => void;
}

/**
 * Listens on `--host`/`--port`, turning the ways that fails into an error that says which flag to
 * change. Resolves with the server and the base URL it answers on (an IPv6 host in brackets).
 */
export function listen(server: Server, config: CliConfig): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new CollectorError('config', `port ${config.port} on ${config.host} is already in use: stop what is using it or pass --port N (0 picks a free one)`));
      } else if (error.code === 'EACCES') {
        reject(new CollectorError('config', `not allowed to listen on port ${config.port}: pass --port 1024 or higher`));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new CollectorError('config', `cannot listen on host ${config.host}: pass --host 127.0.0.1 or 0.0.0.0`));
      } else reject(error);
    });
    server.listen(config.port, config.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      resolve({ server, url: `http://${host}:${port}` });
    });
  });
}
