#!/usr/bin/env node
/**
 * Apache Kafka (KRaft) for Sluice's tests and benchmarks, from the official Maven Central jars.
 *
 *   node scripts/kafka.mjs fetch                       # download the jars once (Maven), then cached
 *   node scripts/kafka.mjs start [--brokers 1|3] [--dir DIR]
 *                                                      # format and start; prints {"bootstrap":…,"dir":…}
 *   node scripts/kafka.mjs stop --dir DIR              # stops the brokers started in DIR, by pid
 *
 * Jars: `scripts/kafka/pom.xml` names the broker artifact; `mvn dependency:copy-dependencies`
 * copies it and its runtime dependencies into the cache, `$SLUICE_KAFKA_CACHE` or
 * `~/.cache/sluice-kafka/<version>/libs`. Nothing is downloaded from anywhere but Maven Central.
 *
 * Each broker is a combined broker+controller (`process.roles=broker,controller`) on its own free
 * loopback ports, with a static controller quorum of all the brokers. Java 17 (`java` on the PATH
 * or `$JAVA_HOME/bin/java`) runs it.
 *
 * Imported as a module, `startKafka()` returns handles that kill (SIGKILL) and restart single
 * brokers, which the fault tests use.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KAFKA_VERSION = '4.1.0';
const here = dirname(fileURLToPath(import.meta.url));
const pom = join(here, 'kafka', 'pom.xml');

/** Where the jars are cached. */
export function kafkaCacheDir() {
  return process.env.SLUICE_KAFKA_CACHE ?? join(homedir(), '.cache', 'sluice-kafka', KAFKA_VERSION);
}

/** The java binary, or undefined when none is installed. */
export function findJava() {
  const candidates = [process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : undefined, 'java'].filter(Boolean);
  for (const java of candidates) {
    const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
    if (probe.status === 0) return java;
  }
  return undefined;
}

/** Copies the broker jars into the cache with Maven (once); returns the libs directory. */
export function fetchKafka({ quiet = false } = {}) {
  const libs = join(kafkaCacheDir(), 'libs');
  const marker = join(libs, '.complete');
  if (existsSync(marker)) return libs;
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (mvn.status !== 0) {
    throw new Error('Maven (mvn) is needed to fetch the Kafka jars from Maven Central: install it (Debian: apt-get install maven)');
  }
  mkdirSync(libs, { recursive: true });
  if (!quiet) process.stderr.write(`fetching Apache Kafka ${KAFKA_VERSION} from Maven Central into ${libs}\n`);
  const run = spawnSync(
    'mvn',
    ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime', `-Dkafka.version=${KAFKA_VERSION}`],
    { stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' },
  );
  if (run.status !== 0) {
    throw new Error(`mvn could not fetch the Kafka jars (exit ${run.status}): ${run.stderr ?? ''}${run.stdout ?? ''}\ncheck that Maven Central is reachable, then run: node scripts/kafka.mjs fetch`);
  }
  writeFileSync(marker, `${KAFKA_VERSION}\n`);
  return libs;
}

/** A free loopback port (the kernel picks it; another process could take it before the broker binds). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what kafka-storage random-uuid prints). */
function clusterId() {
  return randomBytes(16).toString('base64url');
}

const LOG4J = `status = error
appender.file.type = File
appender.file.name = file
appender.file.fileName = \${sys:sluice.log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.file.ref = file
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
`;

function brokerConfig({ id, port, controllerPort, voters, dir, brokers }) {
  const replicas = Math.min(3, brokers);
  return [
    'process.roles=broker,controller',
    `node.id=${id}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=1',
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${Math.min(2, replicas)}`,
    `offsets.topic.replication.factor=${replicas}`,
    'offsets.topic.num.partitions=4',
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${Math.min(2, replicas)}`,
    'group.initial.rebalance.delay.ms=0',
    'unclean.leader.election.enable=false',
    'auto.create.topics.enable=false',
    // Small test machines: fewer threads, quicker failure detection.
    'num.network.threads=2',
    'num.io.threads=2',
    'num.replica.fetchers=1',
    'background.threads=2',
    'log.cleaner.enable=false',
    'replica.lag.time.max.ms=10000',
    'controller.quorum.election.timeout.ms=1000',
    'controller.quorum.fetch.timeout.ms=2000',
    'broker.session.timeout.ms=6000',
    'broker.heartbeat.interval.ms=500',
    'group.min.session.timeout.ms=1000',
    '',
  ].join('\n');
}

/**
 * `quick` (tests): small heap, serial GC and only the C1 compiler, so brokers start fast on small
 * machines. `full` (benchmarks): the JVM's defaults with a 1 GB heap, as a broker would run.
 */
function jvmFlags(jit) {
  return jit === 'full' ? ['-Xms1g', '-Xmx1g', '-XX:+UseG1GC'] : ['-Xms64m', '-Xmx384m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];
}

function javaArgs(libs, dir, mainClass, args, jit = 'quick') {
  return [
    ...jvmFlags(jit),
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
    `-Dsluice.log=${join(dir, 'server.log')}`,
    '-cp',
    join(libs, '*'),
    mainClass,
    ...args,
  ];
}

function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Formats (first start only) and starts `brokers` combined nodes; resolves once each logged
 * "Kafka Server started". `dir` defaults to a new temporary directory; `jit` is `quick` (tests)
 * or `full` (benchmarks).
 */
export async function startKafka({ brokers = 1, dir, java = findJava(), startTimeoutMs = 120_000, jit = 'quick' } = {}) {
  if (!java) throw new Error('Java 17 or later is needed to run Kafka: install it (Debian: apt-get install openjdk-17-jre-headless)');
  const libs = fetchKafka({ quiet: true });
  const root = dir ?? mkdtempSync(join(tmpdir(), 'sluice-kafka-'));
  if (existsSync(join(root, 'cluster.json'))) throw new Error(`${root} already holds a cluster: stop it (node scripts/kafka.mjs stop --dir ${root}), remove the directory, or pass another --dir`);
  mkdirSync(root, { recursive: true });
  const id = clusterId();
  const nodes = [];
  for (let index = 1; index <= brokers; index++) {
    nodes.push({ id: index, port: await freePort(), controllerPort: await freePort(), dir: join(root, `broker-${index}`) });
  }
  const voters = nodes.map((node) => `${node.id}@127.0.0.1:${node.controllerPort}`).join(',');
  for (const node of nodes) {
    mkdirSync(node.dir, { recursive: true });
    writeFileSync(join(node.dir, 'server.properties'), brokerConfig({ ...node, voters, brokers }));
    writeFileSync(join(node.dir, 'log4j2.properties'), LOG4J);
    const format = spawnSync(java, javaArgs(libs, node.dir, 'kafka.tools.StorageTool', ['format', '-t', id, '-c', join(node.dir, 'server.properties'), '--ignore-formatted']), { encoding: 'utf8' });
    if (format.status !== 0) throw new Error(`kafka-storage format failed for broker ${node.id}: ${format.stderr || format.stdout}`);
  }

  function launch(node) {
    const out = openSync(join(node.dir, 'stdout.log'), 'a');
    const child = spawn(java, javaArgs(libs, node.dir, 'kafka.Kafka', [join(node.dir, 'server.properties')], jit), { stdio: ['ignore', out, out], detached: false });
    closeSync(out);
    child.unref();
    node.pid = child.pid;
    node.child = child;
    node.startedAt = readLog(node).length;
    return child;
  }

  function readLog(node) {
    try {
      return readFileSync(join(node.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async function waitStarted(node) {
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (readLog(node).slice(node.startedAt).includes('Kafka Server started')) return;
      if (node.child.exitCode !== null) {
        throw new Error(`Kafka broker ${node.id} exited with ${node.child.exitCode}: ${readLog(node).slice(-2000)}\n${tail(join(node.dir, 'stdout.log'))}`);
      }
      await wait(200);
    }
    throw new Error(`Kafka broker ${node.id} did not start within ${startTimeoutMs} ms; its log is in ${node.dir}`);
  }

  for (const node of nodes) launch(node);
  try {
    await Promise.all(nodes.map(waitStarted));
  } catch (error) {
    for (const node of nodes) if (isAlive(node.pid)) process.kill(node.pid, 'SIGKILL');
    throw error;
  }
  writeFileSync(join(root, 'cluster.json'), JSON.stringify({ pids: nodes.map((node) => node.pid) }));

  const bootstrap = nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  const handles = nodes.map((node) => ({
    id: node.id,
    port: node.port,
    get pid() {
      return node.pid;
    },
    address: `127.0.0.1:${node.port}`,
    /** SIGKILL, then waits until the process is gone. */
    async kill() {
      if (node.child.exitCode !== null || node.child.signalCode !== null) return;
      process.kill(node.pid, 'SIGKILL');
      while (node.child.exitCode === null && node.child.signalCode === null) await wait(20);
    },
    /** Starts the same broker again on the same ports and data directory. */
    async restart() {
      launch(node);
      await waitStarted(node);
      writeFileSync(join(root, 'cluster.json'), JSON.stringify({ pids: nodes.map((each) => each.pid) }));
    },
  }));
  return {
    bootstrap,
    dir: root,
    brokers: handles,
    /** Stops every broker (SIGKILL: tests do not need a clean shutdown) and removes the directory unless `keep`. */
    async stop({ keep = dir !== undefined } = {}) {
      await Promise.all(handles.map((handle) => handle.kill()));
      if (!keep) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Stops brokers started by `start` in another process, by the pids recorded in DIR/cluster.json. */
export async function stopKafka(dir) {
  const file = join(dir, 'cluster.json');
  if (!existsSync(file)) throw new Error(`${file} does not exist: pass the --dir that start printed`);
  const { pids } = JSON.parse(readFileSync(file, 'utf8'));
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (pids.some(isAlive) && Date.now() < deadline) await wait(200);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

function tail(file) {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}

function flag(args, name, fallback) {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
}

async function main(argv) {
  const [command, ...args] = argv;
  if (command === 'fetch') {
    console.log(fetchKafka());
    return;
  }
  if (command === 'start') {
    const brokers = Number(flag(args, '--brokers', '1'));
    if (brokers !== 1 && brokers !== 3) throw new Error('--brokers takes 1 or 3');
    const dir = flag(args, '--dir', undefined) ?? mkdtempSync(join(tmpdir(), 'sluice-kafka-'));
    const cluster = await startKafka({ brokers, dir });
    console.log(JSON.stringify({ bootstrap: cluster.bootstrap, dir: cluster.dir, pids: cluster.brokers.map((broker) => broker.pid) }));
    return;
  }
  if (command === 'stop') {
    const dir = flag(args, '--dir', undefined);
    if (!dir) throw new Error('stop needs --dir DIR (the directory start printed)');
    await stopKafka(dir);
    return;
  }
  console.error('usage: node scripts/kafka.mjs fetch | start [--brokers 1|3] [--dir DIR] | stop --dir DIR');
  process.exitCode = 2;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
