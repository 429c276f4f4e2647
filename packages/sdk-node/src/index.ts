export { createAnalytics } from './analytics';
export type { Analytics, AnalyticsStats, ShutdownResult } from './analytics';
export { NODE_SDK_DEFAULTS } from './defaults';
export { SluiceSdkError } from './errors';
export type { SluiceSdkErrorCode } from './errors';
export type {
  AliasMessage,
  CommonFields,
  GroupMessage,
  IdentifyMessage,
  PageMessage,
  ScreenMessage,
  Timestamp,
  TrackMessage,
  TraitsField,
} from './messages';
export type { AnalyticsOptions, DropReason, DropReport } from './options';
export type { RetryPolicy } from './retry-policy';
export type { Compression, Encoding } from './encode-batch';
export type { Platform } from './platform';
export { installShutdownHooks } from './shutdown-hooks';
export type { ShutdownHookOptions } from './shutdown-hooks';
export { SDK_VERSION } from './version';
