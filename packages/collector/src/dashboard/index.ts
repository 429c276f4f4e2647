export { createDashboard, DASHBOARD_DEFAULTS } from './create-dashboard';
export type { DashboardOptions } from './create-dashboard';
