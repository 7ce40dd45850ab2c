export { startIngress, type IngressOptions, type IngressContext, type RunningIngress } from './service.ts';
export { acceptMessage, type IntakeDeps, type IntakeResult } from '@steward/store';
export { generateApiKey, parseApiKeys } from './api-keys.ts';
export { buildApp, type AppDeps } from './app.ts';
export { debugTraceOf, renderMetrics, renderDebugReport } from './observability.ts';
export { archiveRoutes, type ArchiveRouteOptions } from './routes/archive.ts';
export { adminTokenOperator, operatorCredentials, type Operator, type OperatorGuard } from './routes/operator-guard.ts';
export type { DebugTraceContext } from './routes/queries.ts';
