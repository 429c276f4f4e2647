// The browser app. It imports only the taxonomy's *type*, so zod stays out of the bundle.
import { createAnalytics } from '@sluice/sdk-browser';
import type { AppTaxonomy } from './taxonomy';

const analytics = createAnalytics<AppTaxonomy>({ writeKey: 'demo-write-key', endpoint: 'http://127.0.0.1:8086' });

export function onSignup(plan: 'free' | 'pro'): void {
  analytics.track('Signup Completed', { plan, method: 'email' });
}

export function onSearch(query: string, results: number): void {
  analytics.track('Search Performed', { query, results });
}

export function onLogin(email: string): void {
  analytics.identify(email, { email });
}
