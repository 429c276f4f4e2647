/**
 * Polls until `check` passes or `ms` has passed, then runs it once more so the test fails with its
 * own message. For what lands asynchronously: rows in ClickHouse, requests at a collector.
 */
export async function eventually<T>(check: () => T | Promise<T>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
