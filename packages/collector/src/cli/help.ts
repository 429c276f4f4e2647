import { DEFAULTS } from '../defaults';

export const HELP = `sluice: move product-analytics events into ClickHouse

Usage:
  sluice serve   [flags]   run the collector (Segment-Spec HTTP API, /health, /ready, /metrics)
  sluice consume --kafka BROKERS --topic TOPIC --group GROUP [--clickhouse URL | --embedded DIR]
                           read a Kafka topic that sluice serve --kafka fills and insert it into ClickHouse
                           exactly once (consumer group; /metrics with lag on --port, default ${DEFAULTS.consumePort})
  sluice migrate [flags]   create or upgrade the ClickHouse schema and print what was applied
  sluice query <funnel|retention|trends|top|users> [flags]
                           answer a product question in the terminal (sluice query --help)
  sluice replay DIR [flags]  re-load a write-ahead log directory (kept with --keep-raw) into ClickHouse;
                           idempotent: running it twice stores nothing twice
  sluice --help

Connection (serve, consume and migrate):
  --clickhouse URL         a ClickHouse server, e.g. http://user:pass@localhost:8123
  --embedded DIR           chDB in this process (default ${DEFAULTS.embeddedPath}); needs npm i chdb
  --config FILE            JSON with any of: port, host, clickhouse, embedded, database, writeKeys
                           ({"KEY":"PROJECT"} or ["KEY=PROJECT"]), readKeys (same forms), ack, wal, keepRaw, maxUnsentAge, rateLimit, cors,
                           ipPolicy, trustProxy, basePath, kafka, topic, group

Serve:
  --port N                 default ${DEFAULTS.port} (0 picks a free port)
  --host HOST              default ${DEFAULTS.host}
  --write-key KEY[=PROJECT]  repeatable; also SLUICE_WRITE_KEYS=KEY=PROJECT,KEY2=PROJECT2
  --ack wal|memory|clickhouse  when a request is answered (default ${DEFAULTS.ack}): wal once fsynced to
                           the write-ahead log (survives crashes, stored exactly once), memory once
                           buffered (fastest, lossy on a crash), clickhouse once inserted
  --wal DIR                write-ahead log directory (default ${DEFAULTS.walPath}; one process per directory)
  --keep-raw DURATION      keep sent log segments this long (7d, 12h; default 0: delete once in
                           ClickHouse) as the raw source of truth for sluice replay
  --max-unsent-age DURATION  with --ack wal, answer 503 with Retry-After while the oldest event not
                           yet in ClickHouse is older than this (default ${DEFAULTS.walMaxUnsentAgeMs / 1000}s; 0: off)
  --rate-limit N           events per second per write key (token bucket, bursts of one second's
                           worth); over it, 429 with Retry-After (default: off)
  --cors ORIGIN            repeatable; browsers may send only from these origins (default: any)
  --read-key KEY[=PROJECT]  repeatable; also SLUICE_READ_KEYS. A key that reads (the dashboard at
                           /dashboard and POST /graphql with Authorization: Bearer KEY) and never
                           writes; without =PROJECT it reads every project. At least 8 characters,
                           not a write key. Off by default
  --dashboard-key KEY      the same as --read-key KEY
  --kafka BROKERS          host:port,host:port: answer 200 once the Kafka brokers have the events
  --topic TOPIC            (acks=all, idempotent producer; 503 with Retry-After when they are down or
                           slower than ${DEFAULTS.kafkaAckTimeoutMs / 1000} s) instead of the local log; needs npm i @platformatic/kafka
                           and an existing topic; sluice consume writes ClickHouse

Flags win over --config; keys from flags, SLUICE_WRITE_KEYS/SLUICE_READ_KEYS and --config add up.
SIGTERM or SIGINT drains buffered events into ClickHouse (within ${DEFAULTS.shutdownDeadlineMs / 1000} s) and exits 0;
with --ack wal, what is still in the log then is sent on the next start.

Replay:
  sluice replay DIR [--embedded DIR | --clickhouse URL]
                           DIR is a --wal directory that no running collector holds
`;
