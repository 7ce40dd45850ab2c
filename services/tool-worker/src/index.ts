export { startToolWorker, type ToolWorkerOptions, type RunningToolWorker } from './service.ts';
export type { ShopInvoker, ToolWorkerDeps } from './deps.ts';
