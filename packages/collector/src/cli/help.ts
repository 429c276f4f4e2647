import { DEFAULTS } from '../defaults';

export const HELP = `sluice: move product-analytics events into ClickHouse

Usage:
  sluice serve   [flags]   run the collector (Segment-Spec HTTP API, /health, /ready, /metrics)
  sluice migrate [flags]   create or upgrade the ClickHouse schema and print what was applied
  sluice --help

Connection (serve and migrate):
  --clickhouse URL         a ClickHouse server, e.g. http://user:pass@localhost:8123
  --embedded DIR           chDB in this process (default ${DEFAULTS.embeddedPath}); needs npm i chdb
  --config FILE            JSON with any of: port, host, clickhouse, embedded, database, writeKeys
                           ({"KEY":"PROJECT"} or ["KEY=PROJECT"]), ack, cors, ipPolicy, trustProxy, basePath

Serve:
  --port N                 default ${DEFAULTS.port} (0 picks a free port)
  --host HOST              default ${DEFAULTS.host}
  --write-key KEY[=PROJECT]  repeatable; also SLUICE_WRITE_KEYS=KEY=PROJECT,KEY2=PROJECT2
  --ack memory|clickhouse  memory answers once buffered (lossy on a crash), clickhouse once inserted
                           (default ${DEFAULTS.ack}; wal arrives with the write-ahead log)
  --wal DIR                write-ahead log directory (default ${DEFAULTS.walPath}; used by --ack wal)
  --cors ORIGIN            repeatable; browsers may send only from these origins (default: any)

Flags win over --config; write keys from flags, SLUICE_WRITE_KEYS and --config add up.
SIGTERM or SIGINT drains buffered events into ClickHouse (within ${DEFAULTS.shutdownDeadlineMs / 1000} s) and exits 0.
`;
