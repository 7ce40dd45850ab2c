// The in-process baseline: the same agent in one process without queues, Redis or events —
// the same prompt building (buildPrompt, systemPrompt, POLICY), the same parsing and repair
// (toProposal), the same tool registry, calling sim-llm and the shop over HTTP. Tool calls of a
// turn run in order (references to earlier results resolved as the tool-worker does). It has
// no durability, no limits beyond max turns and no confirmation gate of its own (sim-llm asks
// the customer before a write either way). Its CPU against the pipeline's is the cost of
// durability.
import { DEFAULTS, detectLanguage, idempotencyKey, type ChatMessage, type Proposal } from '@steward/core';
import { buildPrompt } from '@steward/context';
import { commerceTools, createShopClient, type ProgressBar } from '@steward/commerce';
import { createLlmClient, parseTextReply } from '@steward/llm';
import { POLICY, systemPrompt, toProposal } from '@steward/reasoning-worker';
import { ToolRegistry, resolveRefs } from '@steward/tools';
import type { Script } from './conversations.ts';

export interface BaselineResult {
  queries: number;
  answered: number;
  errors: number;
  turns: number;
  latenciesMs: number[];
  startMs: number;
  endMs: number;
}

export async function runBaseline(o: { llmUrl: string; shopUrl: string; scripts: Script[]; progress?: ProgressBar }): Promise<BaselineResult> {
  const registry = new ToolRegistry(commerceTools);
  const tools = registry.toOpenAiTools();
  // The same client and settings the reasoning-worker process uses.
  const llm = createLlmClient({ baseURL: o.llmUrl, apiKey: 'sim-llm-needs-no-key', model: DEFAULTS.llmModel, timeoutMs: 20_000, maxRetries: 3 });
  const shop = createShopClient(o.shopUrl);
  const r: BaselineResult = { queries: 0, answered: 0, errors: 0, turns: 0, latenciesMs: [], startMs: Date.now(), endMs: 0 };
  const total = o.scripts.reduce((a, s) => a + s.messages.length, 0);
  let seq = 0;

  const ask = async (s: Script, history: ChatMessage[], queryId: string): Promise<string> => {
    const language = detectLanguage(history.at(-1)?.role === 'user' ? String(history.at(-1)!.content) : '', s.language);
    const scratchpad: ChatMessage[] = [];
    for (let turn = 0; turn < DEFAULTS.maxTurns; turn++) {
      r.turns++;
      const prompt = buildPrompt(
        { model: llm.model, system: systemPrompt({ customerId: s.customerId, language }), policy: POLICY, history, scratchpad, tools },
        { maxContextTokens: DEFAULTS.maxContextTokens, verbatimMessages: DEFAULTS.historyVerbatimMessages },
      );
      let proposal: Proposal;
      try {
        const res = await llm.complete({ messages: prompt.messages, tools, maxTokens: DEFAULTS.outputTokensPerTurn, temperature: 0 });
        proposal = toProposal(res.message, registry, (content) => parseTextReply(content)).proposal;
      } catch (e) {
        proposal = { kind: 'llm_error', error: (e as Error).message };
      }
      if (proposal.kind === 'answer') return proposal.answer;
      if (proposal.kind !== 'tool_calls') {
        scratchpad.push({ role: 'user', content: `[system note] ${proposal.error}` });
        continue;
      }
      scratchpad.push({
        role: 'assistant',
        content: proposal.thought ?? null,
        tool_calls: proposal.calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
      });
      const results: unknown[] = [];
      for (const [i, c] of proposal.calls.entries()) {
        const spec = registry.get(c.name);
        let result: string;
        if (c.error || !spec) result = `Error: ${c.error ?? `unknown tool ${c.name}`}`;
        else {
          try {
            const args = resolveRefs(c.arguments, results);
            if (spec.run === 'shop') {
              const key = idempotencyKey(queryId, turn, c.id);
              result = (await shop.invoke(c.name, { arguments: args, customerId: s.customerId, ...(spec.readOnly ? {} : { idempotencyKey: key }) })).result;
            } else {
              result = await Promise.resolve(spec.run(args, { customerId: s.customerId, idempotencyKey: idempotencyKey(queryId, turn, c.id), signal: AbortSignal.timeout(DEFAULTS.toolTimeoutMs) }));
            }
          } catch (e) {
            result = `Error: ${c.name} is unavailable right now (${(e as Error).message})`;
          }
        }
        results[i] = result;
        scratchpad.push({ role: 'tool', tool_call_id: c.id, content: result });
      }
    }
    throw new Error('max turns');
  };

  const converse = async (s: Script): Promise<void> => {
    const history: ChatMessage[] = [];
    for (const text of s.messages) {
      const queryId = `b_${seq++}`;
      const t0 = Date.now();
      history.push({ role: 'user', content: text });
      r.queries++;
      try {
        const answer = await ask(s, history, queryId);
        history.push({ role: 'assistant', content: answer });
        r.answered++;
        r.latenciesMs.push(Date.now() - t0);
      } catch {
        r.errors++;
      }
      o.progress?.update(r.queries, `${r.queries}/${total} baseline answers`);
    }
  };
  await Promise.all(o.scripts.map((s) => converse(s)));
  r.endMs = Date.now();
  return r;
}
