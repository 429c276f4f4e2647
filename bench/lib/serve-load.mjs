// One load run against a server process: start it pinned to core 0, drive it with the load generator
// pinned to core 1, account its CPU and peak RSS from /proc, stop it (SIGTERM drains), then count in
// its data directory what landed.
import { join } from 'node:path';
import { BENCH, threadCpu, cpuSeconds, lastJson, peakRssMB, pinned, removeDir, runNode, startServer, tempDir } from './common.mjs';

const LOADGEN = join(BENCH, 'lib/loadgen.mjs');
const COUNT = join(BENCH, 'lib/count-landed.mjs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {object} o
 * @param {(dir: string) => string[]} o.args  node arguments of the server (script first)
 * @param {string} o.format  json | msgpack
 * @param {number} o.connections
 * @param {number} o.seconds
 * @param {string} o.label
 */
export async function loadRun({ args, format, connections, seconds, label, nodeArgs = [], replay }) {
  const dir = tempDir(label);
  const prefix = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  const { command, args: full, pinned: isPinned } = pinned(0, process.execPath, [...nodeArgs, ...args(dir)]);
  const server = await startServer(command, full, { ready: /listening on (http:\/\/[^\s]+)/, cwd: dir });
  const url = server.match[1].replace(/\/$/, '');
  let load;
  let cpuLoad;
  let cpuTotal;
  let rss;
  let drainS;
  let threads;
  let stopped;
  try {
    await sleep(300);
    const cpu0 = cpuSeconds(server.pid);
    const threads0 = threadCpu(server.pid);
    const out = await runNode(LOADGEN, ['--url', url, '--format', format, '--connections', String(connections), '--duration', String(seconds), '--prefix', prefix], { core: 1 });
    load = lastJson(out);
    cpuLoad = cpuSeconds(server.pid) - cpu0;
    const threads1 = threadCpu(server.pid);
    threads = Object.fromEntries(Object.keys(threads1).map((k) => [k, threads1[k] - (threads0[k] ?? 0)]));
    rss = peakRssMB(server.pid);
    // SIGTERM drains what is buffered into ClickHouse; keep reading CPU until the process is gone.
    let last = cpuSeconds(server.pid);
    const t = performance.now();
    const stopping = server.stop(60_000);
    let done = false;
    stopping.then(() => (done = true));
    while (!done) {
      const c = cpuSeconds(server.pid);
      if (Number.isFinite(c)) last = c;
      await sleep(25);
    }
    stopped = await stopping;
    drainS = (performance.now() - t) / 1000;
    cpuTotal = last - cpu0;
  } finally {
    await server.stop(5_000).catch(() => {});
  }
  const count = async () => {
    try {
      return lastJson(await runNode(COUNT, [join(dir, 'data'), prefix], { timeoutMs: 120_000 }));
    } catch (error) {
      return { error: String(error.message ?? error).slice(0, 500) };
    }
  };
  let landed = await count();
  const landedAtShutdown = landed.distinct;
  // With --ack wal, what the shutdown deadline left in the log is sent on the next start: replay it
  // (`sluice replay`), then count again. Acknowledged means durable, not necessarily inserted yet.
  let leftInLog = 0;
  if (replay && landed.distinct !== undefined && landed.distinct < load.acked) {
    leftInLog = load.acked - landed.distinct;
    try {
      await runNode(replay.script, replay.args(dir), { timeoutMs: 300_000 });
    } catch (error) {
      landed.replayError = String(error.message ?? error).slice(0, 500);
    }
    landed = { ...(await count()), leftInLogAtShutdown: leftInLog };
  }
  removeDir(dir);
  const lost = landed.distinct === undefined ? NaN : Math.max(0, load.acked - landed.distinct);
  return {
    ...load,
    pinned: isPinned,
    serverExit: stopped,
    cpuSecondsLoad: cpuLoad,
    cpuSecondsWithDrain: cpuTotal,
    cpuSecPerMillion: (cpuTotal / load.acked) * 1e6,
    peakRssMB: rss,
    // CPU seconds per 1M acknowledged events during the load only (drain excluded), by thread group.
    threadCpuPerMillion: Object.fromEntries(Object.entries(threads ?? {}).map(([k, v]) => [k, (v / load.acked) * 1e6])),
    drainS,
    landed,
    leftInLog,
    lost,
    landedPerSecWithDrain: landedAtShutdown / (load.durationS + drainS),
  };
}
