import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTaxonomy } from '@sluice/schema';
import type { Engine } from '../../src/clickhouse/index';
import { createEngine, migrate } from '../../src/clickhouse/index';
import { createCollector } from '../../src/index';
import { rows, tempDir } from './clickhouse-fixtures';
import { idRow } from './identity-fixtures';
import { at } from './query-fixtures';

// The schema follows the taxonomy: a new property or a changed type reaches `properties` on the
// next start, recorded in schema_migrations, or is refused with the reason, leaving rows readable.
const dir = tempDir('property-hints');
let engine: Engine;

const v1 = defineTaxonomy({ events: { 'Order Placed': z.object({ plan: z.enum(['free', 'pro']), items: z.int() }) } });
// items widens to Float64; coupon is new.
const v2 = defineTaxonomy({
  events: { 'Order Placed': z.object({ plan: z.enum(['free', 'pro']), items: z.number(), coupon: z.string().optional() }) },
});
// coupon narrows to an integer, which the stored "SPRING" cannot become.
const v3 = defineTaxonomy({
  events: { 'Order Placed': z.object({ plan: z.enum(['free', 'pro']), items: z.number(), coupon: z.int().optional() }) },
});

async function insertOrders(orders: Array<{ id: string; properties: Record<string, unknown> }>): Promise<void> {
  const lines = orders.map((o, i) => {
    const row = idRow({ id: o.id, t: at(0, 9 + i), event: 'Order Placed', userId: `u-${o.id}` }, 'shop');
    return JSON.stringify({ ...row, properties: o.properties });
  });
  await engine.client.exec({ query: 'INSERT INTO sluice.events FORMAT JSONEachRow', values: Readable.from([lines.join('\n')]) });
}

const propertiesType = async (): Promise<string> =>
  (await rows<{ type: string }>(engine.client, "SELECT type FROM system.columns WHERE database = 'sluice' AND table = 'events' AND name = 'properties'"))[0]?.type ?? '';

const orders = async () =>
  rows<{ id: string; plan: string; items: number; items_type: string; coupon: unknown }>(
    engine.client,
    `SELECT message_id AS id, properties.plan AS plan, properties.items AS items, toTypeName(properties.items) AS items_type,
       properties.coupon AS coupon
     FROM sluice.events ORDER BY id`,
  );

const log = async () =>
  rows<{ version: number; name: string }>(engine.client, 'SELECT version, name FROM sluice.schema_migrations FINAL WHERE version >= 1000 ORDER BY version');

beforeAll(async () => {
  engine = await createEngine({ embedded: { path: dir.path } });
});

afterAll(async () => {
  await engine?.close();
  dir.remove();
});

describe('a schema that follows the taxonomy, on chdb', () => {
  it('creates properties with the first taxonomy and records nothing more', async () => {
    const result = await migrate(engine.client, { taxonomy: v1 });
    expect(result.propertyHints).toEqual({ refused: [] });
    expect(await propertiesType()).toBe('JSON(items Int64, plan LowCardinality(String))');
    await insertOrders([
      { id: 'old-1', properties: { plan: 'free', items: 2 } },
      { id: 'old-2', properties: { plan: 'pro', items: 3, coupon: 'SPRING' } },
    ]);
    expect(await log()).toEqual([]);
  });

  it('applies a new property and a widened type on the next start, recorded, and keeps old rows readable', async () => {
    const result = await migrate(engine.client, { taxonomy: v2 });
    const type = 'JSON(`coupon` String, `items` Float64, `plan` LowCardinality(String))';
    expect(result.propertyHints).toEqual({ applied: type, refused: [] });
    expect(await propertiesType()).toBe('JSON(coupon String, items Float64, plan LowCardinality(String))');
    expect(await log()).toEqual([{ version: 1000, name: `properties ${type}` }]);

    await insertOrders([{ id: 'new-1', properties: { plan: 'pro', items: 1.5, coupon: 'AUTUMN' } }]);
    expect(await orders()).toEqual([
      { id: 'new-1', plan: 'pro', items: 1.5, items_type: 'Float64', coupon: 'AUTUMN' },
      { id: 'old-1', plan: 'free', items: 2, items_type: 'Float64', coupon: '' },
      { id: 'old-2', plan: 'pro', items: 3, items_type: 'Float64', coupon: 'SPRING' },
    ]);
    expect(await migrate(engine.client, { taxonomy: v2 })).toMatchObject({ applied: [], propertyHints: { refused: [] } });
    expect(await log()).toHaveLength(1);
  });

  it('refuses a type the stored values cannot take, says why, and changes nothing', async () => {
    const before = await propertiesType();
    const result = await migrate(engine.client, { taxonomy: v3 });
    expect(result.propertyHints.applied).toBeUndefined();
    expect(result.propertyHints.refused).toHaveLength(1);
    expect(result.propertyHints.refused[0]).toMatch(
      /^property "coupon" cannot become Int64: 3 stored row\(s\) hold values that do not convert \(e\.g\. "(SPRING|AUTUMN|)", typed String now\); keep its old type in the taxonomy/,
    );
    expect(await propertiesType()).toBe(before);
    expect(await log()).toHaveLength(1);
    expect((await orders()).map((o) => o.coupon)).toEqual(['AUTUMN', '', 'SPRING']);
  });

  it('applies the taxonomy when a collector starts', async () => {
    await engine.close();
    const v4 = defineTaxonomy({
      events: { 'Order Placed': z.object({ plan: z.enum(['free', 'pro']), items: z.number(), coupon: z.string(), gift: z.boolean() }) },
    });
    const collector = createCollector({ writeKeys: { k: 'shop' }, engine: { embedded: { path: dir.path } }, ack: 'memory', taxonomy: v4 });
    try {
      const { migrations } = await collector.ready();
      expect(migrations.propertyHints.applied).toBe('JSON(`coupon` String, `gift` Bool, `items` Float64, `plan` LowCardinality(String))');
    } finally {
      await collector.close();
    }
    engine = await createEngine({ embedded: { path: dir.path } });
    expect((await log()).map((r) => r.version)).toEqual([1000, 1001]);
    expect((await orders()).map((o) => o.id)).toEqual(['new-1', 'old-1', 'old-2']);
  });
});
