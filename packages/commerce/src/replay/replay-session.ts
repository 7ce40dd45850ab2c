// The tool-replay protocol: one JSON line in, exactly one JSON line out. Calls go through the
// same layer as the tool-worker: the tool's zod schema first, then either the local function
// or the engine's authorization and semantics as the customer named in `as`.
import { z } from 'zod';
import type { ShopEngine } from '../engine/engine.ts';
import { commerceTools } from '../tool-specs.ts';
import { invokeTool } from '../tools/invoke.ts';

const Line = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('call'),
    as: z.string().nullable().optional(),
    name: z.string(),
    arguments: z.record(z.string(), z.unknown()).default({}),
    key: z.string().optional(),
  }),
  z.object({ op: z.literal('reset') }),
  z.object({ op: z.literal('export') }),
]);

const specs = new Map(commerceTools.map((t) => [t.name, t]));

export interface ReplaySession {
  /** Answers one input line with one output line (no newline). */
  handle(line: string): Promise<string>;
}

export function createReplaySession(engine: ShopEngine): ReplaySession {
  return {
    async handle(line) {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        return JSON.stringify({ error: 'invalid JSON' });
      }
      const parsed = Line.safeParse(json);
      if (!parsed.success) return JSON.stringify({ error: `invalid line: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
      const msg = parsed.data;
      if (msg.op === 'reset') {
        engine.reset();
        return JSON.stringify({ ok: true });
      }
      // Built from the stored texts: source key order and `247.0` survive (JSON.stringify would lose both).
      if (msg.op === 'export') return engine.exportJson();
      const spec = specs.get(msg.name);
      if (!spec) return JSON.stringify({ error: `unknown tool: ${msg.name}` });
      const args = spec.parameters.safeParse(msg.arguments);
      if (!args.success) {
        const issues = args.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
        return JSON.stringify({ result: `Error: invalid arguments for ${msg.name}: ${issues}` });
      }
      const customerId = msg.as ?? null;
      if (typeof spec.run === 'function') {
        return JSON.stringify({ result: await spec.run(args.data, { customerId, ...(msg.key ? { idempotencyKey: msg.key } : {}) }) });
      }
      const r = invokeTool(engine, msg.name, args.data, { customerId, idempotencyKey: msg.key });
      return JSON.stringify({ result: r.result });
    },
  };
}
