/**
 * docs/migrating.md against the clients the compatibility suites run: the version table names the
 * versions installed, and each setting it gives is the one those suites use.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const doc = readFileSync(new URL('../../../../docs/migrating.md', import.meta.url), 'utf8');
const suite = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');

describe('docs/migrating.md', () => {
  it.each(['@segment/analytics-next', '@segment/analytics-node', 'analytics-node', '@rudderstack/rudder-sdk-node'])('lists the installed version of %s', (name) => {
    const { version } = require(`${name}/package.json`) as { version: string };
    expect(doc).toContain(`| \`${name}\` | ${version} |`);
  });

  it('gives the settings the suites run', () => {
    const node = suite('./compat-node-clients.test.ts');
    const browser = suite('./compat-analytics-next.test.ts');
    expect(doc).toContain("new Analytics({ writeKey: 'YOUR_WRITE_KEY', host: 'https://collector.example.com' })");
    expect(node).toContain('new SegmentAnalytics({ writeKey: key, host: origin');
    expect(doc).toContain("new Analytics('YOUR_WRITE_KEY', { host: 'https://collector.example.com' })");
    expect(node).toContain('new LegacyAnalytics(key, { host: origin');
    expect(doc).toContain("new Analytics('YOUR_WRITE_KEY', { dataPlaneUrl: 'https://collector.example.com' })");
    expect(node).toContain('new RudderAnalytics(key, { dataPlaneUrl: origin');
    expect(doc).toContain("{ integrations: { 'Segment.io': { apiHost: 'collector.example.com/v1', protocol: 'https' } } }");
    expect(doc).toContain("cdnSettings: { integrations: { 'Segment.io': { apiKey: 'YOUR_WRITE_KEY' } } }");
    expect(browser).toContain("{ integrations: { 'Segment.io': { apiHost: `${hostPort}/v1`, protocol: 'http', deliveryStrategy:");
    expect(browser).toContain("cdnSettings: { integrations: { 'Segment.io': { apiKey: key } }");
    expect(browser).toContain("'Segment.io': { apiKey: key, apiHost: `${hostPort}/v1`, protocol: 'http' }");
  });
});
