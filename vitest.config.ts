import { defineConfig } from 'vitest/config';

/**
 * One vitest run, four projects:
 * - unit: fast tests beside the code, no engine, no server;
 * - browser: the browser SDK's tests in happy-dom;
 * - types: `*.test-d.ts` files, checked by the TypeScript compiler;
 * - integration: suites that start chDB, a clickhouse-server, Chromium or spawned CLIs. They run in
 *   forked processes (never threads: chDB allows one data directory per process).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: ['packages/sdk-browser/**', '**/node_modules/**'],
          environment: 'node',
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'browser',
          include: ['packages/sdk-browser/src/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
      {
        test: {
          name: 'types',
          include: [],
          typecheck: {
            enabled: true,
            only: true,
            include: ['packages/*/src/**/*.test-d.ts', 'examples/*/src/**/*.test-d.ts'],
            tsconfig: './tsconfig.typetest.json',
          },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/test/integration/**/*.test.ts', 'test/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
