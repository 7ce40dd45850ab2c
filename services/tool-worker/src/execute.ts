import { isStewardError, TransientError, type ShopToolResponse } from '@steward/core';
import type { ToolSpec } from '@steward/tools';
import { cacheTtlFor } from '@steward/store';
import type { ToolWorkerDeps } from './deps.ts';
import { isErrorResult } from './tool-outcome.ts';

export interface Execution {
  response: ShopToolResponse;
  cacheHit: boolean;
}

/**
 * Run one validated call: from the shared cache when the tool is cacheable (single-flight:
 * identical concurrent reads run once), else in the shop or locally, within the tool's timeout.
 */
export async function execute(
  d: ToolWorkerDeps,
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
  const hit = await d.cache.get(key);
  if (hit !== null) return { response: JSON.parse(hit) as ShopToolResponse, cacheHit: true };
  if (!(await d.cache.lease(key, timeoutMs))) {
    const shared = await d.cache.waitFor(key, timeoutMs);
    if (shared !== null) return { response: JSON.parse(shared) as ShopToolResponse, cacheHit: true };
  }
  try {
    const response = await run(d, spec, args, customerId, idempotencyKey, timeoutMs);
    // Errors and refusals are not cached: the next attempt may succeed, and a refusal is audited each time.
    if (!isErrorResult(response.result) && !response.denied) {
      const tags = spec.cacheTags?.(args) ?? [];
      await d.cache.set(key, JSON.stringify(response), ttlSec, tags);
    } else {
      await d.cache.release(key);
    }
    return { response, cacheHit: false };
  } catch (e) {
    await d.cache.release(key);
    throw e;
  }
}

async function run(
  d: ToolWorkerDeps,
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
