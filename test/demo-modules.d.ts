// The demo is plain JavaScript; these are the shapes the end-to-end test relies on.
declare module '*/examples/demo/server.mjs' {
  import type { Server } from 'node:http';
  export function startServer(options: {
    collector: { fetch(request: Request, info?: { remoteAddress?: string }): Promise<Response> };
    port: number;
    host: string;
    writeKey: string;
    countEvents: () => Promise<number>;
  }): Promise<{ server: Server; url: string }>;
}
declare module '*/examples/demo/taxonomy.mjs' {
  import type { AnyTaxonomy } from '@sluice/schema';
  export const taxonomy: AnyTaxonomy;
}
