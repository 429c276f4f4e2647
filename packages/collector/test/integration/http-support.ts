import type { ClickHouseClient } from '@clickhouse/client';

export const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

export async function query<T>(client: ClickHouseClient, sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const result = await client.query({ query: sql, format: 'JSONEachRow', query_params: params });
  return result.json<T>();
}

/** Every DESIGN column of `events`, times as epoch ms. */
export const EVENT_COLUMNS = `project, message_id, type, event, user_id, anonymous_id, distinct_id, session_id,
  toUnixTimestamp64Milli(timestamp) AS timestamp, toUnixTimestamp64Milli(original_timestamp) AS original_timestamp,
  toUnixTimestamp64Milli(sent_at) AS sent_at, toUnixTimestamp64Milli(received_at) AS received_at,
  toJSONString(properties) AS properties, toJSONString(traits) AS traits, toJSONString(context) AS context,
  page_url, page_path, referrer, utm_source, utm_medium, utm_campaign, locale, library_name, library_version`;

export interface StoredEvent {
  project: string;
  message_id: string;
  type: string;
  event: string;
  user_id: string;
  anonymous_id: string;
  distinct_id: string;
  session_id: string;
  timestamp: string | number;
  original_timestamp: string | number;
  sent_at: string | number;
  received_at: string | number;
  properties: string;
  traits: string;
  context: string;
  page_url: string;
  page_path: string;
  referrer: string;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  locale: string;
  library_name: string;
  library_version: string;
}

/** A realistic batch: one event of each type, all fields a browser SDK fills, a client clock 90 s fast. */
export function sampleBatch(tag: string, now = Date.now()) {
  const skew = 90_000;
  const clientNow = now + skew;
  const context = {
    sessionId: `sess-${tag}`,
    locale: 'de-DE',
    page: { url: `https://shop.example/p/${tag}?x=1`, path: `/p/${tag}`, referrer: 'https://search.example/' },
    campaign: { source: 'newsletter', medium: 'email', name: 'spring' },
    library: { name: 'sluice-browser', version: '0.1.0' },
    userAgent: 'test',
  };
  const at = (ago: number) => new Date(clientNow - ago).toISOString();
  return {
    skew,
    clientNow,
    body: {
      sentAt: new Date(clientNow).toISOString(),
      context,
      batch: [
        { type: 'track', messageId: `${tag}-track`, userId: 'u1', anonymousId: 'a1', event: 'Order Completed', properties: { total: 12.5, plan: 'pro' }, timestamp: at(5_000) },
        { type: 'page', messageId: `${tag}-page`, anonymousId: 'a1', name: 'Pricing', properties: { title: 'Pricing' }, timestamp: at(4_000) },
        { type: 'screen', messageId: `${tag}-screen`, userId: 'u1', name: 'Home', timestamp: at(3_000) },
        { type: 'identify', messageId: `${tag}-identify`, userId: 'u1', traits: { email: 'u1@example.com' }, timestamp: at(2_000) },
        { type: 'group', messageId: `${tag}-group`, userId: 'u1', groupId: 'g1', traits: { name: 'Acme' }, timestamp: at(1_000) },
        { type: 'alias', messageId: `${tag}-alias`, userId: 'u1', previousId: 'a1', timestamp: at(0) },
        { type: 'track', messageId: `${tag}-bad`, userId: 'u1' },
      ],
    },
  };
}
