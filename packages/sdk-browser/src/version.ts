/** Sent as `context.library`; `defaults.test.ts` keeps it equal to package.json. */
export const LIBRARY = { name: '@sluice/sdk-browser', version: '0.0.0' };
