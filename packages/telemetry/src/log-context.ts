// The ids of the job a line was logged in, carried by async context: the worker factory opens a
// context per job (queue, job id, query id, turn), the query store adds the trace id when it
// loads the query, and every logger made by createLogger stamps the current context on each
// line — so a job's lines carry its ids even when they come from code that never saw the job.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogBindings } from './logger.ts';

const storage = new AsyncLocalStorage<LogBindings>();

/** Runs fn with these ids on every log line written inside it (including nested async work). */
export function runWithLogContext<T>(bindings: LogBindings, fn: () => T): T {
  const clean: LogBindings = {};
  for (const [k, v] of Object.entries(bindings)) if (v !== undefined) clean[k] = v;
  return storage.run(clean, fn);
}

/** Adds ids to the current job's context (no-op outside a job). */
export function bindLogContext(bindings: LogBindings): void {
  const store = storage.getStore();
  if (!store) return;
  for (const [k, v] of Object.entries(bindings)) if (v !== undefined) store[k] = v;
}

/** The ids of the current job, or an empty object outside one. */
export function currentLogContext(): LogBindings {
  return storage.getStore() ?? {};
}
