import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { EngineOptions } from '../clickhouse';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import type { IpPolicy } from '../http/client-ip';
import { addReadKeySpec, createReadKeyStore } from '../http/read-keys';
import { parseDuration } from '../duration';

/** Everything `sluice serve` and `sluice migrate` run with, after flags, env and `--config` are merged. */
export interface CliConfig {
  port: number;
  host: string;
  engine: EngineOptions;
  /** `--embedded DIR` or `--clickhouse URL`, for messages. */
  where: string;
  writeKeys: Record<string, string>;
  ack: 'wal' | 'memory' | 'clickhouse';
  /** The write-ahead log (used with `ack: 'wal'`). */
  wal: { dir: string; keepRawMs: number; maxUnsentAgeMs: number };
  /** Events per second per write key; 0 is off. */
  rateLimit: number;
  /** Read keys → project (`*` for every project): the dashboard and POST /graphql. `--dashboard-key` adds one for every project. */
  readKeys: Record<string, string>;
  cors: '*' | string[];
  ipPolicy: IpPolicy;
  trustProxy: boolean;
  basePath: string;
  database: string;
  /** `--kafka BROKERS --topic TOPIC [--group GROUP]`: serve acknowledges once the brokers have the events; consume reads them. */
  kafka: { brokers: string[]; topic: string; group: string | undefined } | undefined;
}

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  clickhouse: { type: 'string' },
  embedded: { type: 'string' },
  'write-key': { type: 'string', multiple: true },
  wal: { type: 'string' },
  ack: { type: 'string' },
  'keep-raw': { type: 'string' },
  'max-unsent-age': { type: 'string' },
  'rate-limit': { type: 'string' },
  'read-key': { type: 'string', multiple: true },
  'dashboard-key': { type: 'string' },
  cors: { type: 'string', multiple: true },
  kafka: { type: 'string' },
  topic: { type: 'string' },
  group: { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type ParsedFlags = ReturnType<typeof parseFlags>;

/** Parses argv after the command; a bad flag becomes a one-line config error. */
export function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: FLAGS, allowPositionals: false, strict: true }).values;
  } catch (error) {
    const message = (error as Error).message.split('.')[0] ?? 'bad arguments';
    throw usage(`${message.replace(/^Unknown option/, 'unknown flag')}`);
  }
}

/** Resolves flags, `SLUICE_WRITE_KEYS`/`SLUICE_READ_KEYS` and the `--config` JSON file (flags win; keys from all three add up). */
export function resolveConfig(flags: ParsedFlags, env: NodeJS.ProcessEnv): CliConfig {
  const file = flags.config ? readConfigFile(flags.config) : {};
  const pick = <T>(flag: T | undefined, key: string): T | unknown => flag ?? file[key];

  const clickhouse = pick(flags.clickhouse, 'clickhouse');
  const embedded = pick(flags.embedded, 'embedded');
  if (clickhouse !== undefined && embedded !== undefined) throw usage('pass either --clickhouse URL or --embedded DIR, not both');
  const database = text(file.database ?? DEFAULTS.database, 'database');
  let engine: EngineOptions;
  let where: string;
  if (clickhouse !== undefined) {
    const url = text(clickhouse, '--clickhouse');
    if (!/^https?:\/\/[^/]/.test(url)) throw usage(`--clickhouse must be an http(s) URL such as http://localhost:8123, not "${url}"`);
    engine = { clickhouse: { url: quietClient(url) }, database };
    where = `ClickHouse at ${url.replace(/\/\/[^@/]*@/, '//***@')}`;
  } else {
    const path = text(embedded ?? DEFAULTS.embeddedPath, '--embedded');
    engine = { embedded: { path }, database };
    where = `embedded chDB in ${path}`;
  }

  const ack = text(pick(flags.ack, 'ack') ?? DEFAULTS.ack, '--ack');
  if (ack !== 'wal' && ack !== 'memory' && ack !== 'clickhouse') {
    throw usage(`--ack must be wal (durable, the default), memory (fast, lossy on a crash) or clickhouse (answers after the insert), not "${ack}"`);
  }
  const walDir = text(pick(flags.wal, 'wal') ?? DEFAULTS.walPath, '--wal');
  const keepRawText = pick(flags['keep-raw'], 'keepRaw');
  const keepRawMs = keepRawText === undefined ? DEFAULTS.walKeepRawMs : durationOrOff(keepRawText, '--keep-raw', '7d, 12h');
  const maxAgeText = pick(flags['max-unsent-age'], 'maxUnsentAge');
  const maxUnsentAgeMs = maxAgeText === undefined ? DEFAULTS.walMaxUnsentAgeMs : durationOrOff(maxAgeText, '--max-unsent-age', '30s, 2m');
  if (maxAgeText !== undefined && ack !== 'wal') throw usage(`--max-unsent-age bounds the write-ahead log, so it needs --ack wal (the default), not --ack ${ack}`);
  const rateText = pick(flags['rate-limit'], 'rateLimit');
  let rateLimit: number = DEFAULTS.rateLimit.eventsPerSecond;
  if (rateText !== undefined) {
    rateLimit = Number(rateText);
    if (rateText === '' || !Number.isFinite(rateLimit) || rateLimit < 0) throw usage(`--rate-limit takes events per second per write key, such as 1000 (0 turns it off), not "${String(rateText)}"`);
  }

  const writeKeys: Record<string, string> = {};
  const addKey = (spec: string, from: string) => {
    const eq = spec.indexOf('=');
    const key = (eq < 0 ? spec : spec.slice(0, eq)).trim();
    const project = (eq < 0 ? 'default' : spec.slice(eq + 1)).trim();
    if (!key || !project) throw usage(`${from} "${spec}" is not KEY or KEY=PROJECT`);
    writeKeys[key] = project;
  };
  const fileKeys = file.writeKeys;
  if (Array.isArray(fileKeys)) for (const spec of fileKeys) addKey(text(spec, 'writeKeys'), 'config writeKeys entry');
  else if (fileKeys && typeof fileKeys === 'object') for (const [key, project] of Object.entries(fileKeys)) writeKeys[key] = text(project, `writeKeys.${key}`);
  for (const spec of (env.SLUICE_WRITE_KEYS ?? '').split(',')) if (spec.trim()) addKey(spec, 'SLUICE_WRITE_KEYS entry');
  for (const spec of flags['write-key'] ?? []) addKey(spec, '--write-key');

  const cors = flags.cors ?? (file.cors as string[] | '*' | undefined) ?? DEFAULTS.corsOrigins;
  const ipPolicy = text(file.ipPolicy ?? DEFAULTS.ipPolicy, 'ipPolicy');
  if (ipPolicy !== 'keep' && ipPolicy !== 'anonymize' && ipPolicy !== 'drop') throw usage(`ipPolicy must be keep, anonymize or drop, not "${ipPolicy}"`);

  const kafka = kafkaConfig(pick(flags.kafka, 'kafka'), pick(flags.topic, 'topic'), pick(flags.group, 'group'));
  // With --kafka the brokers acknowledge and hold the log: a local-log option would be silently ignored.
  const localLog = (['ack', 'wal', 'keep-raw', 'max-unsent-age'] as const).filter((name) => flags[name] !== undefined);
  if (kafka && localLog.length > 0) {
    throw usage(`--${localLog[0]} does not apply with --kafka: the brokers acknowledge (acks=all) and keep the log; drop --${localLog.join(', --')}`);
  }
  return {
    port: port(pick(flags.port, 'port') ?? DEFAULTS.port),
    host: text(pick(flags.host, 'host') ?? DEFAULTS.host, '--host'),
    engine,
    where,
    writeKeys,
    ack,
    wal: { dir: walDir, keepRawMs, maxUnsentAgeMs },
    rateLimit,
    readKeys: readKeys(flags, file, env, writeKeys),
    cors: cors === '*' ? '*' : [...cors],
    ipPolicy,
    trustProxy: file.trustProxy === true,
    basePath: file.basePath === undefined ? '' : text(file.basePath, 'basePath'),
    database,
    kafka,
  };
}

/**
 * @clickhouse/client prints multi-line warnings of its own (a failed ping, for one); the CLI reports
 * each failure once, on one line, so it turns the client's log off unless the URL sets `log_level`.
 */
function quietClient(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.searchParams.has('log_level')) parsed.searchParams.set('log_level', 'OFF');
    return parsed.toString();
  } catch {
    return url;
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw usage(`cannot read --config ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path`);
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw usage(`--config ${path} is not a JSON object (${(error as Error).message}); see sluice --help for its keys`);
  }
}

/**
 * Read keys from `--config` (`readKeys`, as writeKeys; `dashboardKey`), `SLUICE_READ_KEYS`,
 * `--read-key KEY[=PROJECT]` and its alias `--dashboard-key KEY` (every project). Each must be long
 * enough to guess slowly, and never a write key (write keys ship in browsers).
 */
function readKeys(flags: ParsedFlags, file: Record<string, unknown>, env: NodeJS.ProcessEnv, writeKeys: Record<string, string>): Record<string, string> {
  const keys: Record<string, string> = {};
  const add = (spec: string, from: string) => {
    try {
      addReadKeySpec(keys, spec, from);
    } catch (error) {
      throw usage((error as Error).message);
    }
  };
  const fileKeys = file.readKeys;
  if (Array.isArray(fileKeys)) for (const spec of fileKeys) add(text(spec, 'readKeys'), 'config readKeys entry');
  else if (fileKeys && typeof fileKeys === 'object') for (const [key, project] of Object.entries(fileKeys)) keys[key] = text(project, `readKeys.${key}`);
  if (file.dashboardKey !== undefined) add(text(file.dashboardKey, 'dashboardKey'), 'config dashboardKey');
  for (const spec of (env.SLUICE_READ_KEYS ?? '').split(',')) if (spec.trim()) add(spec, 'SLUICE_READ_KEYS entry');
  if (flags['dashboard-key'] !== undefined) add(text(flags['dashboard-key'], '--dashboard-key'), '--dashboard-key');
  for (const spec of flags['read-key'] ?? []) add(spec, '--read-key');
  try {
    createReadKeyStore(keys, Object.keys(writeKeys));
  } catch (error) {
    throw usage((error as Error).message);
  }
  return keys;
}

/** A duration flag where 0 means off: `0`, or a duration with its unit (a bare number is refused as ambiguous). */
function durationOrOff(value: unknown, flag: string, examples: string): number {
  const raw = typeof value === 'string' ? value.trim() : '';
  const refuse = (): CollectorError => usage(`${flag} takes a duration like ${examples} or 0, not "${String(value)}"`);
  if (raw === '0') return 0;
  if (raw === '' || /^\d+$/.test(raw)) throw refuse();
  try {
    return parseDuration(raw, flag);
  } catch {
    throw refuse();
  }
}

function kafkaConfig(brokers: unknown, topic: unknown, group: unknown): CliConfig['kafka'] {
  if (brokers === undefined) {
    if (topic !== undefined || group !== undefined) throw usage('--topic and --group go with --kafka BROKERS');
    return undefined;
  }
  const list = text(brokers, '--kafka').split(',').map((each) => each.trim()).filter(Boolean);
  if (list.length === 0 || list.some((broker) => !/^[^\s:/]+:\d{1,5}$/.test(broker))) {
    throw usage(`--kafka takes broker addresses such as 10.0.0.1:9092,10.0.0.2:9092, not "${String(brokers)}"`);
  }
  if (topic === undefined) throw usage('--kafka needs --topic TOPIC, the topic the events go through');
  const name = text(topic, '--topic');
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(name)) throw usage(`--topic must be a Kafka topic name (letters, digits, ".", "_", "-"), not "${name}"`);
  return { brokers: list, topic: name, group: group === undefined ? undefined : text(group, '--group') };
}

function port(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw usage(`--port must be a number from 0 to 65535, not "${String(value)}"`);
  return n;
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw usage(`${name} needs a value`);
  return value;
}

function usage(message: string): CollectorError {
  return new CollectorError('config', `${message} (sluice --help lists the flags)`);
}
