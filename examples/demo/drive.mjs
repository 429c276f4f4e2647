// Pushes the simulated journeys through the real SDKs: anonymous page views, identify and the signup
// from the browser SDK (running in a happy-dom window), then server-side events from the Node SDK,
// which knows signed-up users by their userId only. The collector links the two.
import { createAnalytics as createBrowserAnalytics } from '@sluice/sdk-browser';
import { createAnalytics as createNodeAnalytics } from '@sluice/sdk-node';
import { Window } from 'happy-dom';

export async function drive({ endpoint, writeKey, journeys, total, onProgress }) {
  const window = new Window({ url: 'https://shop.example/' });
  let eventTime = Date.now();
  const browser = createBrowserAnalytics({
    writeKey,
    endpoint,
    autoPage: false,
    flushAt: 50,
    // The browser SDK stamps the current time; the story happened over past days, so restate it.
    beforeSend: (event) => ({ ...event, timestamp: new Date(eventTime).toISOString() }),
    platform: {
      fetch: (url, init) => fetch(url, init),
      storage: window.localStorage,
      now: Date.now,
      random: Math.random,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (id) => clearTimeout(id),
      window,
      document: window.document,
      navigator: window.navigator,
    },
  });
  const server = createNodeAnalytics({ writeKey, endpoint, flushAt: 500 });

  let users = 0;
  let sent = 0;
  for (const journey of journeys) {
    browser.reset();
    for (const call of journey.calls) {
      eventTime = call.at;
      if (call.kind === 'page') {
        window.happyDOM.setURL(`https://shop.example${call.path}${call.search}`);
        browser.page('Page Viewed');
      } else if (call.kind === 'identify') {
        browser.identify(journey.userId, call.traits);
      } else if (call.from === 'browser') {
        browser.track(call.event, call.properties);
      } else {
        server.track({ event: call.event, userId: journey.userId, properties: call.properties, timestamp: new Date(call.at) });
      }
      sent++;
    }
    users++;
    if (users % 250 === 0 || users === total) {
      onProgress({ users, total, sent });
      await browser.flush();
    }
  }
  await Promise.all([browser.flush(), server.flush()]);
  await server.shutdown({ timeoutMs: 10_000 });
  await window.happyDOM.close();
  const nodeStats = server.stats();
  // What never reached ClickHouse: dropped by an SDK on purpose, or given up after the collector refused it.
  const lost = nodeStats.dropped + nodeStats.failed + browser.stats.dropped + browser.stats.failed;
  return { sent, dropped: lost, rejected: nodeStats.rejected + browser.stats.rejected };
}
