/** The subset of pino's interface the collector calls; pass a pino logger, `console`, or nothing. */
export interface Logger {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

const noop = (): void => {};

/** The default: quiet. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
