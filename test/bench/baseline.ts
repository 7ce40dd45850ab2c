// The in-process baseline: the same agent in one process without queues, Redis or events. It
// takes every setting from the one config's defaults (loadConfig, as the services do) and calls
// the pipeline's own entry points: the reasoning-worker's turnInput and reasoningBudget (tool
// selection, working memory, summary, loop warning, prompt budget) with buildPrompt; the same
// LLM client, streaming as the worker does, and toProposal; the controller's pure decisions
// from @steward/control (limits, confirmation gate, loop detection) and its working-memory and
// summary folding from @steward/context; planTurn and resolveRefs for the turn's tool DAG,
// calling the shop over HTTP with idempotency keys as the tool-worker does. What it leaves out
// is what durability and distribution add: Redis, queues, events, the tool cache, retries of a
// crashed step. Its CPU against the pipeline's is the cost of durability.
import { DEFAULTS, detectLanguage, idempotencyKey, loadConfig, text, type ChatMessage, type Proposal, type ProposedCall } from '@steward/core';
import { buildPrompt, emptyMemory, recordRequest, recordToolCalls, updateSummary, type WorkingMemory } from '@steward/context';
import { checkLimits, decideConfirmation, detectLoop, fallbackFor, UNRESOLVED_REFERENCE_TEXT, type CustomerMessage, type LoopTurn, type PendingConfirmation } from '@steward/control';
import { commerceTools, createShopClient, type ProgressBar } from '@steward/commerce';
import { createLlmClient, parseJsonReply, parseTextReply } from '@steward/llm';
import { reasoningBudget, toProposal, turnInput } from '@steward/reasoning-worker';
import { collectRefs, planTurn, resolveRefs, ToolRegistry } from '@steward/tools';
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

/** What the pipeline keeps per conversation in Redis, kept here in memory. */
interface Conversation {
  customerId: string;
  messages: ChatMessage[];
  summary: string;
  memory: WorkingMemory;
  pending: PendingConfirmation | null;
  /** Customer messages and how their queries ended, for the confirmation gate. */
  asked: Map<string, { answered: boolean; answer: string; completedMs: number }>;
  said: CustomerMessage[];
}

export async function runBaseline(o: { llmUrl: string; shopUrl: string; scripts: Script[]; progress?: ProgressBar }): Promise<BaselineResult> {
  // The defaults every service starts with (the bench sets no agent settings for its services).
  const cfg = loadConfig({ OPENAI_BASE_URL: o.llmUrl }, 'reasoning-worker');
  const { budget, outputTokens } = reasoningBudget(cfg.reasoning);
  const limits = cfg.controller.limits;
  const registry = new ToolRegistry(commerceTools);
  const llm = createLlmClient({ ...cfg.llm, maxRateLimitRetries: 0 });
  const parseText = cfg.reasoning.toolStyle === 'json' ? (c: string) => parseJsonReply(c) : (c: string) => parseTextReply(c);
  const shop = createShopClient(o.shopUrl);
  const r: BaselineResult = { queries: 0, answered: 0, errors: 0, turns: 0, latenciesMs: [], startMs: Date.now(), endMs: 0 };
  const total = o.scripts.reduce((a, s) => a + s.messages.length, 0);
  let seq = 0;

  const runCall = async (c: ProposedCall, args: Record<string, unknown>, customerId: string, key: string): Promise<string> => {
    const spec = registry.get(c.name)!;
    try {
      if (spec.run === 'shop') return (await shop.invoke(c.name, { arguments: args, customerId, ...(spec.readOnly ? {} : { idempotencyKey: key }) })).result;
      return await Promise.resolve(spec.run(args, { customerId, idempotencyKey: key, signal: AbortSignal.timeout(cfg.tools.toolTimeoutMs) }));
    } catch (e) {
      return `Error: ${c.name} is unavailable right now (${(e as Error).message})`;
    }
  };

  /** One query: turns until an answer or a fallback; returns what the customer is told. */
  const ask = async (conv: Conversation, queryId: string, message: CustomerMessage, language: 'en' | 'zh'): Promise<{ answer: string; answered: boolean }> => {
    conv.memory = recordRequest(conv.memory, queryId, message.text);
    const steps: ChatMessage[] = [];
    const loopHistory: LoopTurn[] = [];
    let toolCalls = 0;
    let nudge = '';
    const end = (reason: Parameters<typeof fallbackFor>[0]) => ({ answer: fallbackFor(reason, language), answered: false });
    for (let turn = 0; ; turn++) {
      r.turns++;
      const { input, tools } = turnInput({
        model: llm.model,
        registry,
        toolStyle: cfg.reasoning.toolStyle,
        toolSelection: 'relevant',
        naive: false,
        conversation: conv,
        language,
        text: message.text,
        steps,
        memory: conv.memory,
        ...(nudge ? { nudge } : {}),
      });
      const prompt = buildPrompt(input, budget);
      let proposal: Proposal;
      try {
        const res = await llm.complete({
          messages: prompt.messages,
          ...(cfg.reasoning.toolStyle === 'native' ? { tools } : {}),
          maxTokens: outputTokens,
          temperature: 0,
          // The worker streams (LLM_STREAM defaults to true); publishing the deltas is distribution, not agent.
          ...(cfg.reasoning.stream ? { onDelta: () => {} } : {}),
        });
        proposal = toProposal(res.message, registry, parseText).proposal;
      } catch (e) {
        proposal = { kind: 'llm_error', error: (e as Error).message };
      }
      const limit = checkLimits({ turn, startedMs: message.createdMs, nowMs: Date.now(), toolCalls, tokens: 0, costUsd: 0 }, { maxTurns: limits.maxTurns, deadlineMs: limits.deadlineMs, maxToolCalls: limits.maxToolCallsPerQuery });
      if (proposal.kind === 'answer') return { answer: proposal.answer, answered: true };
      if (limit) return end(limit);
      if (proposal.kind === 'llm_error') return end(proposal.fault ? 'model_fault' : 'llm_unavailable');
      if (turn + 1 >= limits.maxTurns) return end('max_turns');
      if (proposal.kind === 'malformed') {
        steps.push({ role: 'user', content: `[system note] Your previous output could not be used: ${proposal.error}` });
        continue;
      }
      const calls = proposal.calls.slice(0, DEFAULTS.maxToolCallsPerTurn);
      if (toolCalls + calls.length > limits.maxToolCallsPerQuery) return end('tool_limit');
      if (calls.some((c) => !c.error && registry.get(c.name)?.effect === 'handoff')) return { answer: text('handoffNotice', language), answered: false };
      toolCalls += calls.length;
      steps.push({
        role: 'assistant',
        content: proposal.thought ?? null,
        tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })),
      });
      // Pre-answered calls (errors, writes the customer has not confirmed), as the controller's decide.
      const pre: (string | undefined)[] = calls.map((c) => {
        if (c.error) return c.error.startsWith('Unknown tool') ? c.error : `Error: ${c.error}`;
        const spec = registry.get(c.name);
        if (!cfg.controller.requireConfirmation || spec?.requiresConfirmation !== true) return undefined;
        const asked = conv.pending ? conv.asked.get(conv.pending.queryId) : undefined;
        const from = conv.pending ? conv.said.findIndex((m) => m.queryId === conv.pending!.queryId) : -1;
        const verdict = decideConfirmation({
          call: { name: c.name, args: c.arguments },
          requiresConfirmation: true,
          unresolvedRefs: collectRefs(c.arguments).length > 0,
          query: message,
          pending: conv.pending,
          asked: asked ?? null,
          since: from >= 0 ? conv.said.slice(from + 1) : [message],
        });
        if (verdict.allowed) {
          conv.pending = null;
          return undefined;
        }
        if (verdict.ask) conv.pending = verdict.ask;
        return verdict.reason === 'unresolved_reference' ? UNRESOLVED_REFERENCE_TEXT : text('confirmationRequired', language);
      });
      const plan = planTurn(registry, calls.map((c, i) => ({ name: c.name, arguments: c.arguments, ...(pre[i] ? { error: pre[i] } : {}) })));
      if (!plan.ok) calls.forEach((_, i) => (pre[i] ??= `Error: ${plan.error}`));
      else for (const pc of plan.plan.calls) if (pc.skip) pre[pc.index] ??= `Error: ${pc.skip}`;
      // The DAG in dependency order (the tool-worker resolves "$call:" references the same way).
      const results: string[] = [];
      const order = plan.ok ? topological(plan.plan.calls.map((pc) => pc.dependsOn)) : calls.map((_, i) => i);
      for (const i of order) {
        const c = calls[i]!;
        results[i] = pre[i] ?? (await runCall(c, resolveRefs(c.arguments, results), conv.customerId, idempotencyKey(queryId, turn, c.id)));
      }
      calls.forEach((c, i) => steps.push({ role: 'tool', tool_call_id: c.id, content: results[i]! }));
      // The controller's observe: memory, then loop detection.
      conv.memory = recordToolCalls(conv.memory, calls.map((c, i) => ({ callId: c.id, name: c.name, arguments: c.arguments, result: results[i]! })));
      loopHistory.push({ calls: calls.map((c, i) => ({ name: c.name, args: c.arguments, result: results[i]!.slice(0, 2_000) })) });
      const loop = detectLoop(loopHistory, { maxToolCalls: limits.maxToolCallsPerQuery });
      if (loop.level === 'critical') return end('loop_detected');
      nudge = loop.level === 'warning' ? (loop.nudge ?? '') : '';
    }
  };

  const converse = async (s: Script): Promise<void> => {
    const conv: Conversation = { customerId: s.customerId, messages: [], summary: '', memory: emptyMemory(), pending: null, asked: new Map(), said: [] };
    for (const msg of s.messages) {
      const queryId = `b_${seq++}`;
      const t0 = Date.now();
      const message: CustomerMessage = { queryId, text: msg, author: s.customerId, createdMs: t0 };
      conv.said.push(message);
      conv.messages.push({ role: 'user', content: msg });
      r.queries++;
      try {
        const { answer, answered } = await ask(conv, queryId, message, detectLanguage(msg, s.language));
        conv.messages.push({ role: 'assistant', content: answer });
        conv.asked.set(queryId, { answered, answer, completedMs: Date.now() });
        // The controller folds what leaves the verbatim window into the summary when a query ends.
        const evicted = conv.messages.length - limits.historyVerbatimMessages;
        if (evicted > 0) conv.summary = updateSummary(conv.summary, conv.messages.splice(0, evicted), { model: llm.model, maxTokens: DEFAULTS.summaryTokens });
        if (answered) r.answered++;
        else r.errors++;
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

/** Indexes in an order where every call comes after the calls it depends on. */
function topological(dependsOn: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const visit = (i: number): void => {
    if (seen.has(i)) return;
    seen.add(i);
    for (const j of dependsOn[i] ?? []) visit(j);
    out.push(i);
  };
  dependsOn.forEach((_, i) => visit(i));
  return out;
}
