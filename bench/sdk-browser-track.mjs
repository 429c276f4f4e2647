#!/usr/bin/env node
// Cost of `track()` in @sluice/sdk-browser, in happy-dom: the call builds the event and its context,
// queues it; the task's events are persisted to localStorage together at its end. Measured over one
// synchronous burst of calls (fetch is stubbed; delivery after the burst is not timed). Medians of
// several runs on one core.
//   node bench/sdk-browser-track.mjs [--quick]
import { createAnalytics } from '@sluice/sdk-browser';
import { Window } from 'happy-dom';
import { QUICK, fmt, median, report, table } from './lib/common.mjs';

const RUNS = QUICK ? 2 : 5;
const CALLS = QUICK ? 1_000 : 5_000;

async function run() {
  const window = new Window({ url: 'https://shop.example/pricing?utm_source=news&utm_medium=email&utm_campaign=launch' });
  const ok = () => Promise.resolve(new Response('{"success":true,"accepted":0,"rejected":[]}', { status: 200 }));
  const analytics = createAnalytics({
    writeKey: 'bench',
    endpoint: 'https://collect.example',
    autoPage: false,
    platform: {
      fetch: ok,
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
  const properties = { plan: 'pro', total: 42.5, currency: 'EUR', items: 3 };
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) analytics.track('Order Placed', properties);
  await Promise.resolve(); // the burst's events are persisted at the end of the task
  const ns = Number(process.hrtime.bigint() - started);
  analytics.optOut(); // drop the queue: delivery under happy-dom is not what this measures
  await window.happyDOM.close();
  return ns / 1000 / CALLS;
}

const perCall = [];
for (let r = 0; r < RUNS; r++) perCall.push(await run());
const us = median(perCall);
const markdown = table(
  ['browser SDK in happy-dom', 'µs per track() (median)', 'calls/s', 'runs × calls'],
  [[`track() × ${fmt(CALLS)} in one task, queue persisted once at its end`, us.toFixed(2), fmt(Math.round(1e6 / us)), `${RUNS} × ${fmt(CALLS)}`]],
);
report('sdk-browser-track', { settings: { runs: RUNS, calls: CALLS }, markdown, data: { usPerCall: us, runs: perCall } });
// The SDK's heartbeat timer keeps rescheduling itself, as it should in a page; end the process here.
process.exit(0);
