import { gzipSync } from 'node:zlib';
import { pack } from 'msgpackr';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/clickhouse';
import { tempDir } from './clickhouse-fixtures';
import { runCli, type Spawned } from './cli-support';
import { basic, query } from './http-support';

const dir = tempDir('cli-serve');
const spawned: Spawned[] = [];

afterAll(() => {
  for (const process of spawned) process.kill();
  dir.remove();
});

describe('sluice serve, spawned as a user would', () => {
  it('takes every body kind, drains on SIGTERM, exits 0, and every accepted event is in the data directory', async () => {
    // ack memory: the events are only buffered when acknowledged, so the SIGTERM drain must land them.
    const cli = runCli(['serve', '--embedded', dir.path, '--port', '0', '--write-key', 'k1=shop', '--ack', 'memory'], { SLUICE_WRITE_KEYS: 'k2=blog' });
    spawned.push(cli);
    const [, url] = await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect(cli.stdout()).toMatch(/applied migrations: 0001_events/);

    const accepted: string[] = [];
    const send = async (path: string, body: BodyInit, headers: Record<string, string>) => {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers, body });
      const answer = (await res.json()) as { accepted: number; rejected: unknown[] };
      expect(res.status, JSON.stringify(answer)).toBe(200);
      return answer;
    };
    const batch = (ids: string[]) => ({ sentAt: new Date().toISOString(), batch: ids.map((id) => ({ type: 'track', event: 'CLI', userId: 'u1', messageId: id })) });
    const json = { 'content-type': 'application/json', authorization: basic('k1') };

    await send('/v1/batch', JSON.stringify(batch(['json-1', 'json-2'])), json);
    accepted.push('json-1', 'json-2');
    await send('/v1/batch', new Uint8Array(gzipSync(JSON.stringify(batch(['gzip-1'])))), { ...json, 'content-encoding': 'gzip' });
    accepted.push('gzip-1');
    await send('/v1/batch', new Uint8Array(pack(batch(['msgpack-1']))), { 'content-type': 'application/msgpack', authorization: `Bearer k1` });
    accepted.push('msgpack-1');
    await send('/v1/batch', JSON.stringify({ ...batch(['beacon-1']), writeKey: 'k1' }), { 'content-type': 'text/plain;charset=UTF-8' });
    accepted.push('beacon-1');
    for (const [type, fields] of Object.entries({ track: { event: 'One' }, page: { name: 'Home' }, screen: { name: 'Main' }, identify: { traits: { a: 1 } }, group: { groupId: 'g' }, alias: { previousId: 'p' } })) {
      await send(`/v1/${type}`, JSON.stringify({ userId: 'u1', messageId: `single-${type}`, ...fields }), json);
      accepted.push(`single-${type}`);
    }
    const envKey = await send('/v1/track?writeKey=k2', JSON.stringify({ event: 'Env', userId: 'u1', messageId: 'env-key-1' }), { 'content-type': 'application/json' });
    expect(envKey.accepted).toBe(1);
    const partial = await send('/v1/batch', JSON.stringify({ batch: [{ type: 'track', userId: 'u1', messageId: 'invalid-1' }] }), json);
    expect(partial.rejected).toHaveLength(1);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/sluice_events_total\{outcome="accepted"\} 12/);

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/SIGTERM: draining/);

    // The collector is gone: this process may now open the same data directory.
    const engine = await createEngine({ embedded: { path: dir.path } });
    try {
      const shop = await query<{ message_id: string }>(engine.client, "SELECT message_id FROM sluice.events WHERE project = 'shop' ORDER BY message_id");
      expect(shop.map((row) => row.message_id)).toEqual([...accepted].sort());
      const blog = await query<{ message_id: string }>(engine.client, "SELECT message_id FROM sluice.events WHERE project = 'blog'");
      expect(blog.map((row) => row.message_id)).toEqual(['env-key-1']);
      const quarantine = await query<{ message_id: string; path: string }>(engine.client, 'SELECT message_id, path FROM sluice.events_quarantine');
      expect(quarantine).toEqual([{ message_id: 'invalid-1', path: 'event' }]);
    } finally {
      await engine.close();
    }
  });
});
