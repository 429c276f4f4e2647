export interface ShutdownHookOptions {
  /** Deadline passed to `shutdown()`. Default: the client's `shutdownTimeoutMs`. */
  timeoutMs?: number;
  /** Signals to handle. Default: SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
}

/**
 * Opt-in process hooks: on SIGTERM/SIGINT and on `beforeExit`, call `shutdown()` once. After a
 * signal, when no other listener handles it, the signal is raised again so the process ends the way
 * it would have without the SDK. Returns a function that removes the hooks.
 */
export function installShutdownHooks(
  analytics: { shutdown(options?: { timeoutMs?: number }): Promise<unknown> },
  options: ShutdownHookOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const shutdownOptions = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  let installed = true;

  const uninstall = () => {
    if (!installed) return;
    installed = false;
    for (const signal of signals) process.removeListener(signal, onSignal);
    process.removeListener('beforeExit', onBeforeExit);
  };

  function onSignal(signal: NodeJS.Signals) {
    uninstall();
    void analytics.shutdown(shutdownOptions).finally(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }

  function onBeforeExit() {
    uninstall();
    void analytics.shutdown(shutdownOptions);
  }

  for (const signal of signals) process.on(signal, onSignal);
  process.on('beforeExit', onBeforeExit);
  return uninstall;
}
