import { createAnalytics } from '@sluice/sdk-browser';

// The server writes the collector's URL and the write key into <meta> tags; in your app they are config.
const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
const analytics = createAnalytics({
  writeKey: meta('sluice-write-key'),
  endpoint: meta('sluice-endpoint'),
  flushAt: 1, // send each click at once, so you can watch it land; the default (20) batches
});
// createAnalytics sends a `page` event on start (autoPage).

const log = document.querySelector('#log');
const show = (line) => {
  log.textContent = `${new Date().toLocaleTimeString()}  ${line}\n${log.textContent}`;
};

for (const button of document.querySelectorAll('button[data-event]')) {
  button.addEventListener('click', () => {
    analytics.track(button.dataset.event, { button: button.id, plan: button.dataset.plan });
    show(`track "${button.dataset.event}"`);
  });
}

document.querySelector('#login').addEventListener('click', () => {
  analytics.identify('ada', { email: 'ada@example.com' });
  show('identify "ada"');
});

document.querySelector('#recent').addEventListener('click', async () => {
  await analytics.flush();
  const rows = await (await fetch('/recent')).json();
  show(`what landed (sent ${analytics.stats.sent}, dropped ${analytics.stats.dropped}):\n${rows.map((r) => `  ${r.type} ${r.event} ${r.user_id || r.anonymous_id}`).join('\n')}`);
});
