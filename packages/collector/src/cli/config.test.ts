import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../defaults';
import { parseFlags, resolveConfig } from './config';

const resolve = (argv: string[], env: Record<string, string> = {}) => resolveConfig(parseFlags(argv), env);

describe('sluice flags', () => {
  it('uses the DEFAULTS when nothing is given', () => {
    const config = resolve([]);
    expect(config).toMatchObject({ port: DEFAULTS.port, host: DEFAULTS.host, ack: DEFAULTS.ack, cors: '*', writeKeys: {} });
    expect(config.engine).toEqual({ embedded: { path: DEFAULTS.embeddedPath }, database: 'sluice' });
    expect(config.ack).toBe('wal');
    expect(config.wal).toEqual({ dir: DEFAULTS.walPath, keepRawMs: DEFAULTS.walKeepRawMs, maxUnsentAgeMs: DEFAULTS.walMaxUnsentAgeMs });
    expect(config.rateLimit).toBe(0);
  });

  it('takes --read-key KEY[=PROJECT] and SLUICE_READ_KEYS, with --dashboard-key as an alias, refusing short keys and write keys', () => {
    expect(resolve([]).readKeys).toEqual({});
    expect(resolve(['--dashboard-key', 'read-key-123', '--write-key', 'k=p']).readKeys).toEqual({ 'read-key-123': '*' });
    expect(resolve(['--read-key', 'read-key-web=web', '--read-key', 'read-key-all']).readKeys).toEqual({ 'read-key-web': 'web', 'read-key-all': '*' });
    expect(resolveConfig(parseFlags([]), { SLUICE_READ_KEYS: 'read-key-env=mobile' }).readKeys).toEqual({ 'read-key-env': 'mobile' });
    expect(() => resolve(['--dashboard-key', 'short'])).toThrow(/at least 8 characters/);
    expect(() => resolve(['--read-key', 'short=web'])).toThrow(/at least 8 characters/);
    expect(() => resolve(['--read-key', 'write-key-1', '--write-key', 'write-key-1=p'])).toThrow(/also a write key/);
    expect(() => resolve(['--dashboard-key', 'write-key-1', '--write-key', 'write-key-1=p'])).toThrow(/also a write key/);
  });

  it('takes --kafka BROKERS --topic TOPIC [--group GROUP], with errors that say what to pass', () => {
    expect(resolve([]).kafka).toBeUndefined();
    expect(resolve(['--kafka', '10.0.0.1:9092, 10.0.0.2:9092', '--topic', 'sluice-events', '--group', 'g']).kafka).toEqual({
      brokers: ['10.0.0.1:9092', '10.0.0.2:9092'],
      topic: 'sluice-events',
      group: 'g',
    });
    expect(() => resolve(['--kafka', 'localhost'])).toThrow(/broker addresses such as/);
    expect(() => resolve(['--kafka', 'localhost:9092'])).toThrow(/needs --topic/);
    expect(() => resolve(['--kafka', 'localhost:9092', '--topic', 'a b'])).toThrow(/Kafka topic name/);
    expect(() => resolve(['--topic', 'events'])).toThrow(/go with --kafka/);
    expect(() => resolve(['--kafka', 'localhost:9092', '--topic', 'events', '--ack', 'memory'])).toThrow(/--ack does not apply with --kafka/);
    expect(() => resolve(['--kafka', 'localhost:9092', '--topic', 'events', '--wal', 'x'])).toThrow(/--wal does not apply with --kafka/);
  });

  it('takes --ack wal, --wal, --keep-raw and --rate-limit', () => {
    const config = resolve(['--ack', 'wal', '--wal', '/tmp/log', '--keep-raw', '7d', '--rate-limit', '250']);
    expect(config).toMatchObject({ ack: 'wal', wal: { dir: '/tmp/log', keepRawMs: 7 * 86_400_000 }, rateLimit: 250 });
    expect(resolve(['--keep-raw', '0']).wal.keepRawMs).toBe(0);
    expect(resolve(['--max-unsent-age', '2m']).wal.maxUnsentAgeMs).toBe(120_000);
    expect(resolve(['--max-unsent-age', '0']).wal.maxUnsentAgeMs).toBe(0);
    expect(() => resolve(['--max-unsent-age', 'soon'])).toThrow(/--max-unsent-age takes a duration/);
    expect(() => resolve(['--ack', 'memory', '--max-unsent-age', '1m'])).toThrow(/needs --ack wal/);
    expect(resolve(['--ack', 'memory']).ack).toBe('memory');
  });

  it('adds up write keys from flags, SLUICE_WRITE_KEYS and --config; a key alone maps to "default"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
    const file = join(dir, 'sluice.json');
    writeFileSync(file, JSON.stringify({ writeKeys: { fileKey: 'from-file' }, port: 9000, cors: ['https://a.example'], ipPolicy: 'keep' }));
    const config = resolve(['--config', file, '--write-key', 'a=one', '--write-key', 'solo', '--port', '9100'], { SLUICE_WRITE_KEYS: 'e1=env, e2=env2' });
    expect(config.writeKeys).toEqual({ fileKey: 'from-file', a: 'one', solo: 'default', e1: 'env', e2: 'env2' });
    expect(config.port).toBe(9100);
    expect(config.cors).toEqual(['https://a.example']);
    expect(config.ipPolicy).toBe('keep');
  });

  it('connects to a server quietly, keeping the URL the user gave in messages', () => {
    const config = resolve(['--clickhouse', 'http://default:secret@localhost:8123']);
    expect(config.engine).toEqual({ clickhouse: { url: 'http://default:secret@localhost:8123/?log_level=OFF' }, database: 'sluice' });
    expect(config.where).toBe('ClickHouse at http://***@localhost:8123');
  });

  it.each([
    [['--ack', 'disk'], /--ack must be wal \(durable, the default\), memory .* or clickhouse/],
    [['--keep-raw', 'forever'], /--keep-raw takes a duration like 7d, 12h or 0, not "forever"/],
    [['--keep-raw', '7'], /--keep-raw takes a duration like 7d, 12h or 0/],
    [['--rate-limit', 'lots'], /--rate-limit takes events per second per write key/],
    [['--rate-limit=-5'], /--rate-limit takes events per second/],
    [['--port', '70000'], /--port must be a number from 0 to 65535/],
    [['--write-key', '=p'], /is not KEY or KEY=PROJECT/],
    [['--frob'], /unknown flag '--frob'/],
  ])('refuses %j with a message that says what to do', (argv, message) => {
    expect(() => resolve(argv)).toThrow(message);
  });
});
