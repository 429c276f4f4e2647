#!/usr/bin/env node
// Repairs package-lock.json after `npm install` on a machine whose registry cannot serve every
// platform's optional binaries (chDB's macOS builds, for one, answer 404 here). npm then leaves
// ALL the optional platform packages out of the lockfile, and `npm ci` refuses it ("Missing: …
// from lock file"). This adds each missing optional dependency as an entry restricted to its own
// os/cpu, which npm skips on other platforms without fetching anything. Idempotent.
//
//   node scripts/fix-lockfile.mjs   # after any `npm install` that changed package-lock.json
import { readFileSync, writeFileSync } from 'node:fs';

const OS = ['darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'android', 'openharmony'];
const CPU = ['x64', 'arm64', 'arm', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el', 'wasm32'];
const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

/** Where node would find `name` from the package at `location` (nested first, then upwards). */
function resolves(location, name) {
  let base = location;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return true;
    if (!base) return false;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

function platformOf(name) {
  const tokens = name.toLowerCase().split(/[-/@_.]/);
  const os = OS.find((o) => tokens.includes(o) || (o === 'win32' && tokens.includes('windows')));
  const cpu = CPU.find((c) => tokens.includes(c) || (c === 'x64' && (tokens.includes('amd64') || tokens.includes('x86_64'))));
  const libc = tokens.includes('musl') || tokens.includes('musleabihf') ? 'musl' : tokens.includes('gnu') || tokens.includes('gnueabihf') ? 'glibc' : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [location, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    if (resolves(location, name)) continue;
    const { os, cpu, libc } = platformOf(name);
    if (!os && !cpu) {
      console.warn(`fix-lockfile: ${name} (optional, of ${location || 'the root'}) is missing and names no platform; left alone`);
      continue;
    }
    packages[`node_modules/${name}`] = {
      version: String(spec).replace(/^[\^~=]/, ''),
      optional: true,
      ...(entry.dev ? { dev: true } : {}),
      ...(os ? { os: [os] } : {}),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(libc ? { libc: [libc] } : {}),
    };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`fix-lockfile: added ${added} optional platform entr${added === 1 ? 'y' : 'ies'}`);
