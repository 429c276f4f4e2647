#!/usr/bin/env node
// The `sluice` command. This file is committed, unlike dist/, so npm links it into
// node_modules/.bin at install time, even in a fresh clone before the first build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write(`sluice: ${fileURLToPath(cli)} is missing: @sluice/collector is not built yet; run \`npm run build\` at the repository root, then try again\n`);
  process.exit(1);
}
await import(cli.href);
