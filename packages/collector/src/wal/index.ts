export { createWriteAheadLog } from './write-ahead-log';
export type { Position, WalRecord, WalStats, WriteAheadLog, WriteAheadLogOptions } from './wal-types';
export type { Cursor, PendingRange } from './cursor-file';
export { createWalSink } from './wal-sink';
export type { WalInsert, WalSink, WalSinkObserver, WalSinkOptions } from './wal-sink';
export { batchToken } from './wal-batch';
export type { WalBatch } from './wal-batch';
export { replayLog } from './replay';
export type { ReplayOptions, ReplayProgress } from './replay';
