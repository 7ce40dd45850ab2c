import { isStewardError, TransientError, type ShopToolResponse } from '@steward/core';
import type { ToolSpec } from '@steward/tools';
import { cacheTtlFor } from '@steward/store';
import type { ToolWorkerDeps } from './deps.ts';
import { isErrorResult } from './tool-outcome.ts';

export interface Execution {
  response: ShopToolResponse;
  cacheHit: boolean;
  /**
   * A cache miss's store of its result (or the lease's release), still under way: the caller
   * awaits it beside the result's record, so that round trip is not one more between the call's
   * end and its result recorded. It never rejects: the cache is best effort (a store that failed
   * leaves the lease to expire, and the readers waiting on it run the call themselves).
   */
  cached?: Promise<void>;
}

/**
 * Run one validated call: from the shared cache when the tool is cacheable (single-flight:
 * identical concurrent reads run once), else in the shop or locally, within the tool's timeout.
 * A cacheable call reads the cache and takes the lease in one round trip.
 */
export async function execute(
  d: Pick<ToolWorkerDeps, 'cache' | 'shop' | 'toolTimeoutMs' | 'log'>,
  spec: ToolSpec,
  args: Record<string, unknown>,
  customerId: string | null,
  idempotencyKey: string,
): Promise<Execution> {
  const timeoutMs = spec.timeoutMs ?? d.toolTimeoutMs;
  // Volatile reads (order, account) are cached a few seconds at most: see VOLATILE_TTL_SEC.
  const ttlSec = cacheTtlFor(spec.name, spec.cacheTtlSec);
  const cacheable = spec.readOnly && ttlSec > 0;
  if (!cacheable) return { response: await run(d, spec, args, customerId, idempotencyKey, timeoutMs), cacheHit: false };

  const key = d.cache.keyFor(spec.name, customerId, args);
  const found = await d.cache.lookup(key, timeoutMs);
  if (found.hit !== null) return { response: JSON.parse(found.hit) as ShopToolResponse, cacheHit: true };
  // Another caller runs the same read: wait for its result (null: it gave up; run it here).
  if (!found.leased) {
    const shared = await d.cache.waitFor(key, timeoutMs);
    if (shared !== null) return { response: JSON.parse(shared) as ShopToolResponse, cacheHit: true };
  }
  let response: ShopToolResponse;
  try {
    response = await run(d, spec, args, customerId, idempotencyKey, timeoutMs);
  } catch (e) {
    await d.cache.release(key);
    throw e;
  }
  // Errors and refusals are not cached: the next attempt may succeed, and a refusal is audited each time.
  const store = !isErrorResult(response.result) && !response.denied;
  const cached = (store ? d.cache.set(key, JSON.stringify(response), ttlSec, spec.cacheTags?.(args) ?? []) : d.cache.release(key)).catch((e: unknown) => {
    d.log.warn({ tool: spec.name, err: e instanceof Error ? e.message : String(e) }, 'tool cache store failed; its lease expires on its own');
  });
  return { response, cacheHit: false, cached };
}

async function run(
  d: Pick<ToolWorkerDeps, 'shop'>,
  spec: ToolSpec,
  args: Record<string, unknown>,
  customerId: string | null,
  idempotencyKey: string,
  timeoutMs: number,
): Promise<ShopToolResponse> {
  const signal = AbortSignal.timeout(timeoutMs);
  if (spec.run === 'shop') {
    return d.shop.invoke(
      spec.name,
      { arguments: args, customerId, ...(spec.readOnly ? {} : { idempotencyKey }) },
      { signal },
    );
  }
  const local = spec.run;
  const result = await Promise.race([
    Promise.resolve(local(args, { customerId, idempotencyKey, signal })),
    new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(new TransientError('tool_timeout', `${spec.name} timed out after ${timeoutMs} ms`)), { once: true }),
    ),
  ]);
  return { result };
}

export function errorType(e: unknown): string {
  if (isStewardError(e)) return e.code;
  if (e instanceof Error && e.name === 'TimeoutError') return 'timeout';
  return e instanceof Error ? e.name : 'error';
}
