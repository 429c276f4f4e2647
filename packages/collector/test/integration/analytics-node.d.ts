/** The legacy `analytics-node` 6.x ships no types; this is the little the compatibility suite calls. */
declare module 'analytics-node' {
  type Message = Record<string, unknown>;
  export default class Analytics {
    constructor(writeKey: string, options?: { host?: string; path?: string; flushAt?: number; flushInterval?: number; enable?: boolean });
    track(message: Message): this;
    page(message: Message): this;
    screen(message: Message): this;
    identify(message: Message): this;
    group(message: Message): this;
    alias(message: Message): this;
    flush(): Promise<unknown>;
  }
}
