// Shared helpers of the benchmark parts: machine description, medians, child processes pinned to a
// core, /proc accounting, temp dirs that are always removed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BENCH = join(ROOT, 'bench');
export const CLI = join(ROOT, 'packages/collector/dist/cli.js');

export const argv = process.argv.slice(2);
/** The value after `--name` on the command line, else `fallback`. */
export const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
export const QUICK = argv.includes('--quick') || process.env.BENCH_QUICK === '1';

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model?.trim() ?? 'unknown',
    cores: cpu.length,
    memGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
}

export const median = (values) => {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

export const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);

let tasksetChecked;
/** `taskset -c <cpu>` prefix when taskset exists and the machine has more than one core. */
export function pinned(core, command, args) {
  tasksetChecked ??= cpus().length > 1 && ['/usr/bin/taskset', '/bin/taskset'].some((p) => existsSync(p));
  return tasksetChecked ? { command: 'taskset', args: ['-c', String(core), command, ...args], pinned: true } : { command, args, pinned: false };
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; includes all threads. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14 and 15)
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds per thread group of a process, from /proc/<pid>/task/*: `main` (the JS thread, tid = pid),
 * `node` (other threads named "node": libuv pool, V8 GC and compiler helpers) and `chdb` (every
 * thread chDB/ClickHouse names: ThreadPool, MergeMutate, …).
 */
export function threadCpu(pid) {
  const out = { main: 0, node: 0, chdb: 0 };
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
      out[String(pid) === tid ? 'main' : comm === 'node' || comm.startsWith('libuv') || comm.startsWith('V8') ? 'node' : 'chdb'] += cpu;
    } catch {}
  }
  return out;
}

/** Peak resident set size (VmHWM) in MB, from /proc/<pid>/status. */
export function peakRssMB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const children = new Set();
function killAll() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/**
 * Starts a long-running child (a server) and resolves once a line of its stdout matches `ready`.
 * `stop()` sends SIGTERM and waits for the exit (SIGKILL after `killAfterMs`).
 */
export function startServer(command, args, { ready, cwd = ROOT, env = process.env, timeoutMs = 60_000 } = {}) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => (children.delete(child), resolve({ code, signal }))));
  child.stderr.on('data', (d) => (err += d).length > 100_000 && (err = err.slice(-50_000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms: ${out}${err}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before it was ready:\n${out}\n${err}`));
    });
    child.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.on('data', () => {});
      resolve({
        pid: child.pid,
        match: m,
        output: () => out + err,
        async stop(killAfterMs = 30_000) {
          if (child.exitCode !== null || child.signalCode !== null) return exited;
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          const result = await exited;
          clearTimeout(t);
          return result;
        },
      });
    });
  });
}

/** Runs a node script to completion and returns its stdout (throws with stderr on failure). */
export function runNode(script, args = [], { core, nodeArgs = [], timeoutMs = 600_000, cwd = ROOT } = {}) {
  const base = [...nodeArgs, script, ...args];
  const { command, args: full } = core === undefined ? { command: process.execPath, args: base } : pinned(core, process.execPath, base);
  return new Promise((resolve, reject) => {
    const child = spawn(command, full, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${script} exited ${code ?? signal}:\n${err.slice(-3000)}`));
    });
  });
}

/** The last line of stdout that parses as JSON. */
export function lastJson(text) {
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line);
    } catch {}
  }
  throw new Error(`no JSON line in output:\n${text.slice(-2000)}`);
}

/** A temp dir removed on exit, whatever happens. */
const tempDirs = new Set();
export function tempDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `sluice-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}
export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export const fmt = (n, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';

/** A Markdown table from a header row and rows of cells (numbers right-aligned). */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => r[i].length)));
  const numeric = (c) => c === '' || c.startsWith('n/a') || /^[~≈<>-]?[0-9]/.test(c);
  const right = header.map((_, i) => rows.length > 0 && rows.every((r) => numeric(String(r[i] ?? ''))) && rows.some((r) => /[0-9]/.test(String(r[i] ?? ''))));
  const line = (r) => '| ' + r.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ') + ' |';
  return [line(all[0]), '| ' + widths.map((w, i) => (right[i] ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ') + ' |', ...all.slice(1).map(line)].join('\n');
}

/**
 * Every part prints a human summary, then one last line `BENCH_RESULT <json>` that run.mjs collects:
 * `{ part, machine, settings, markdown, data }`.
 */
export function report(part, { settings, markdown, data }) {
  console.log(markdown);
  console.log(`BENCH_RESULT ${JSON.stringify({ part, machine: machine(), settings, markdown, data })}`);
}
