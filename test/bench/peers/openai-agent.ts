// The OpenAI Agents SDK for JavaScript over the same model double (its chat-completions model
// with an OpenAI client pointed at sim-llm), tools and shop. The SDK keeps no state between
// runs: each conversation carries its history (`result.history`) into the next message, as the
// SDK's own examples do. Tracing is off (it would export to OpenAI).
import OpenAI from 'openai';
import { Agent, OpenAIChatCompletionsModel, run, setTracingDisabled, tool, type AgentInputItem, type RunContext } from '@openai/agents';
import { DEFAULTS, detectLanguage } from '@steward/core';
import { POLICY, systemPrompt } from '@steward/reasoning-worker';
import type { Script } from '../conversations.ts';
import type { Ask } from './run-conversations.ts';
import type { PeerTools } from './shop-tools.ts';

interface Ctx {
  customerId: string;
  language: 'en' | 'zh';
  queryId: string;
}

export function openAiAgent(o: { llmUrl: string; tools: PeerTools }): { ask: Ask } {
  setTracingDisabled(true);
  const client = new OpenAI({ baseURL: o.llmUrl, apiKey: 'sim-llm-needs-no-key', maxRetries: 3 });
  let calls = 0;
  const tools = o.tools.definitions.map((d) =>
    tool({
      name: d.function.name,
      description: d.function.description ?? '',
      parameters: d.function.parameters as never,
      strict: false,
      execute: async (args: unknown, rc?: RunContext<Ctx>) => {
        const c = rc!.context;
        const parsed = typeof args === 'string' ? (JSON.parse(args || '{}') as Record<string, unknown>) : (args as Record<string, unknown>);
        return o.tools.run(d.function.name, parsed, c.customerId, `${c.queryId}:${calls++}`);
      },
    }),
  );
  const agent = new Agent<Ctx>({
    name: 'steward',
    instructions: (rc) => `${systemPrompt({ customerId: rc.context.customerId, language: rc.context.language })}\n\n${POLICY}`,
    model: new OpenAIChatCompletionsModel(client, DEFAULTS.llmModel),
    modelSettings: { temperature: 0, maxTokens: DEFAULTS.outputTokensPerTurn },
    tools,
  });
  const history = new Map<string, AgentInputItem[]>();
  const ask: Ask = async (s: Script, text: string, queryId: string) => {
    const input: AgentInputItem[] = [...(history.get(s.conversationId) ?? []), { role: 'user', content: text }];
    const result = await run(agent, input, { context: { customerId: s.customerId, language: detectLanguage(text, s.language), queryId }, maxTurns: DEFAULTS.maxTurns });
    history.set(s.conversationId, result.history);
    return { answer: String(result.finalOutput ?? ''), llmCalls: result.rawResponses.length };
  };
  return { ask };
}
