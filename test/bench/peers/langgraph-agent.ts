// LangGraph.js's prebuilt ReAct agent (createReactAgent) over the same model double, tools and
// shop, with a checkpointer: one thread per conversation, so each message is sent alone and the
// history comes back from the checkpoint — durable with the SQLite saver, in memory with
// MemorySaver (SqliteSaver runs on node:sqlite: see node-sqlite-db.ts). The system prompt is steward's (system prompt + policy), built per message.
import { ChatOpenAI } from '@langchain/openai';
import { tool } from '@langchain/core/tools';
import { AIMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import { MemorySaver, type BaseCheckpointSaver } from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { DEFAULTS, detectLanguage } from '@steward/core';
import { POLICY, systemPrompt } from '@steward/reasoning-worker';
import type { Script } from '../conversations.ts';
import type { Ask } from './run-conversations.ts';
import { NodeSqliteDb } from './node-sqlite-db.ts';
import type { PeerTools } from './shop-tools.ts';

interface Configurable {
  customerId: string;
  language: 'en' | 'zh';
  queryId: string;
}

export function langGraphAgent(o: { llmUrl: string; tools: PeerTools; saver: 'sqlite' | 'memory'; sqliteFile?: string }): { ask: Ask; close(): void } {
  const llm = new ChatOpenAI({ model: DEFAULTS.llmModel, apiKey: 'sim-llm-needs-no-key', temperature: 0, maxTokens: DEFAULTS.outputTokensPerTurn, maxRetries: 3, configuration: { baseURL: o.llmUrl } });
  let calls = 0;
  const tools = o.tools.definitions.map((d) =>
    tool(
      async (args: Record<string, unknown>, config: { configurable?: Record<string, unknown> }) => {
        const c = config.configurable as unknown as Configurable;
        return o.tools.run(d.function.name, args, c.customerId, `${c.queryId}:${calls++}`);
      },
      { name: d.function.name, description: d.function.description ?? '', schema: d.function.parameters },
    ),
  );
  const db = o.saver === 'sqlite' ? new NodeSqliteDb(o.sqliteFile!) : undefined;
  const saver: BaseCheckpointSaver = db ? new SqliteSaver(db) : new MemorySaver();
  const agent = createReactAgent({
    llm,
    tools,
    checkpointSaver: saver,
    prompt: (state: { messages: BaseMessage[] }, config: { configurable?: Record<string, unknown> }) => {
      const c = config.configurable as unknown as Configurable;
      return [new SystemMessage(`${systemPrompt({ customerId: c.customerId, language: c.language })}\n\n${POLICY}`), ...state.messages];
    },
  });
  // Messages per thread after its last turn (counted here, not read back: that would cost the peer CPU).
  const seen = new Map<string, number>();
  const ask: Ask = async (s: Script, text: string, queryId: string) => {
    const language = detectLanguage(text, s.language);
    const before = seen.get(s.conversationId) ?? 0;
    const out = (await agent.invoke(
      { messages: [{ role: 'user', content: text }] },
      { configurable: { thread_id: s.conversationId, customerId: s.customerId, language, queryId }, recursionLimit: DEFAULTS.maxTurns * 2 + 1 },
    )) as { messages: BaseMessage[] };
    seen.set(s.conversationId, out.messages.length);
    const added = out.messages.slice(before);
    const last = out.messages.at(-1);
    return { answer: last instanceof AIMessage ? last.text : '', llmCalls: added.filter((m) => m instanceof AIMessage).length };
  };
  return { ask, close: () => db?.close() };
}
