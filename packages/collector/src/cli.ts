#!/usr/bin/env node
import { DEFAULTS } from './defaults';
import { CollectorError, toCollectorError } from './errors';
import type { Logger } from './logger';
import { parseFlags, resolveConfig } from './cli/config';
import { consume } from './cli/consume';
import { assertDataDirFree } from './cli/data-dir-lock';
import { HELP } from './cli/help';
import { runMigrate } from './cli/migrate';
import { runReplay } from './cli/replay';
import { serve } from './cli/serve';
import { runQueryCommand } from './query/cli';

/**
 * Warnings and errors on stderr, one line each; `SLUICE_LOG=debug` adds the rest. Until the server
 * runs, a failure is reported once, by the error that stops the command, so the log stays quiet.
 */
function stderrLogger(verbose: boolean, running: () => boolean): Logger {
  const line = (level: string) => (obj: unknown, msg?: string) => {
    if (!running() && !verbose) return;
    const detail = obj instanceof Error ? obj.message : msg ?? JSON.stringify(obj);
    process.stderr.write(`sluice ${level}: ${detail.split('\n')[0]}\n`);
  };
  const quiet = () => {};
  return { debug: verbose ? line('debug') : quiet, info: verbose ? line('info') : quiet, warn: line('warn'), error: line('error') };
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  let running = false;
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const logger = stderrLogger(process.env.SLUICE_LOG === 'debug', () => running);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out(HELP);
    return;
  }
  // `sluice query …` parses its own flags and opens the engine read-only for one question.
  if (command === 'query') process.exit(await runQueryCommand(rest, process));
  if (command !== 'serve' && command !== 'migrate' && command !== 'replay' && command !== 'consume') {
    throw new CollectorError('config', `unknown command "${command}": use sluice serve, consume, migrate, replay or query (sluice --help)`);
  }
  // `sluice replay DIR …`: the log directory is the one positional argument.
  const replayDir = command === 'replay' && rest[0] !== undefined && !rest[0].startsWith('-') ? rest.shift() : undefined;
  const flags = parseFlags(rest);
  if (flags.help) {
    out(HELP);
    return;
  }
  const config = resolveConfig(flags, process.env);
  // `serve --kafka` never opens ClickHouse; `consume` serves /metrics on its own default port.
  const usesEngine = !(command === 'serve' && config.kafka);
  if (usesEngine && 'embedded' in config.engine) assertDataDirFree(config.engine.embedded.path);
  if (command === 'consume') {
    if (flags.port === undefined) config.port = DEFAULTS.consumePort;
    await consume(config, { out, logger, exit: (code) => process.exit(code), listening: () => (running = true) });
    return;
  }
  if (command === 'migrate') {
    await runMigrate(config, { out, logger });
    process.exit(0);
  }
  if (command === 'replay') {
    if (replayDir === undefined) throw new CollectorError('config', 'sluice replay needs the log directory: sluice replay DIR [--embedded DIR | --clickhouse URL]');
    running = true;
    await runReplay(replayDir, config, { out, logger, progress: process.stderr });
    process.exit(0);
  }
  await serve(config, { out, logger, exit: (code) => process.exit(code), listening: () => (running = true) });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const failure = toCollectorError(error);
  process.stderr.write(`sluice: ${failure.message.split('\n')[0]}\n`);
  process.exit(failure.code === 'config' ? 2 : 1);
});
