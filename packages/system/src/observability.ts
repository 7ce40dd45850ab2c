// The ingress' observability endpoints, as the standalone ingress serves them.
export { debugTraceOf, renderMetrics } from '@steward/ingress';
