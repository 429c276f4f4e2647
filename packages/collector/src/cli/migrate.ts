import { createEngine, migrate } from '../clickhouse';
import type { Logger } from '../logger';
import type { CliConfig } from './config';

/** `sluice migrate`: connect, apply what is missing, print it. */
export async function runMigrate(config: CliConfig, io: { out: (line: string) => void; logger: Logger }): Promise<void> {
  const engine = await createEngine(config.engine);
  try {
    const result = await migrate(engine.client, { database: engine.database, logger: io.logger });
    for (const name of result.applied) io.out(`applied ${name}`);
    io.out(
      result.applied.length === 0
        ? `database ${engine.database} is up to date (${result.skipped.length} migrations already applied)`
        : `applied ${result.applied.length} migration(s) to database ${engine.database} (${config.where})`,
    );
  } finally {
    await engine.close();
  }
}
