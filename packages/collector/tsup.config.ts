import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ["src/index.ts","src/node.ts","src/express.ts","src/fastify.ts","src/cli.ts","src/query/index.ts","src/dashboard/index.ts","src/kafka/index.ts"],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
  // p-queue ships ESM only; inlining it keeps the CJS build loadable with require().
  noExternal: ['p-queue'],
});
