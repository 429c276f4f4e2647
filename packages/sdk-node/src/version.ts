/** Sent as `context.library`; `defaults.test.ts` keeps it equal to package.json's version. */
export const SDK_NAME = '@sluice/sdk-node';
export const SDK_VERSION = '0.0.0';
