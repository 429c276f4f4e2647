export { createAnalytics } from './analytics';
export type { Analytics, Options } from './analytics';
export { DEFAULTS } from './defaults';
export type { Defaults } from './defaults';
export type { Platform, WindowLike, DocumentLike, NavigatorLike } from './platform';
export type { Stats } from './tab-queue';
