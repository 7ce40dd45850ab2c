// The tools every peer gets: steward's commerce tool registry, run the way the in-process
// baseline runs them (shop tools over HTTP with an idempotency key for writes, local tools in
// process), so each framework does the same work against the same shop.
import { DEFAULTS } from '@steward/core';
import { commerceTools, createShopClient } from '@steward/commerce';
import { ToolRegistry, type OpenAiTool } from '@steward/tools';

export interface PeerTools {
  /** Definitions as sent to the model (name, description, JSON schema of the arguments). */
  definitions: OpenAiTool[];
  /** Run one call for a customer; returns the text the model sees (errors included, as the baseline does). */
  run(name: string, args: Record<string, unknown>, customerId: string, key: string): Promise<string>;
  calls: number;
}

export function peerTools(shopUrl: string): PeerTools {
  const registry = new ToolRegistry(commerceTools);
  const shop = createShopClient(shopUrl);
  const t: PeerTools = {
    definitions: registry.toOpenAiTools(),
    calls: 0,
    async run(name, args, customerId, key) {
      t.calls++;
      const spec = registry.get(name);
      if (!spec) return `Error: unknown tool ${name}`;
      try {
        if (spec.run === 'shop') return (await shop.invoke(name, { arguments: args, customerId, ...(spec.readOnly ? {} : { idempotencyKey: key }) })).result;
        return await Promise.resolve(spec.run(args, { customerId, idempotencyKey: key, signal: AbortSignal.timeout(DEFAULTS.toolTimeoutMs) }));
      } catch (e) {
        return `Error: ${name} is unavailable right now (${(e as Error).message})`;
      }
    },
  };
  return t;
}
