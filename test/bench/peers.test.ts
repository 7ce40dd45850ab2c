// bench:peers' agents work against the model double and the shop: a return conversation (the
// request, then "yes") goes through the OpenAI Agents SDK and LangGraph's createReactAgent with
// its SQLite checkpointer, each answers both messages and applies the return once, and the
// checkpointer wrote its checkpoints to the SQLite file (the history of the "yes" came from it).
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type RunningShop } from '@steward/shop';
import { startSimLlm, type SimLlm } from '@steward/sim-llm';
import { buildScripts, fetchExport, type Script } from './conversations.ts';
import { runConversations, type Ask } from './peers/run-conversations.ts';
import { peerTools } from './peers/shop-tools.ts';
import { langGraphAgent } from './peers/langgraph-agent.ts';
import { openAiAgent } from './peers/openai-agent.ts';
import { readWriteLedger } from './shop-writes.ts';

let shop: RunningShop;
let sim: SimLlm;
let tmp: string;
let conversation: Script;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'steward-peers-test-'));
  shop = await startShop({ mode: 'test', port: 0, dbPath: join(tmp, 'shop.db'), catalogSize: { products: 60, users: 40, orders: 160 } });
  sim = await startSimLlm({ port: 0 });
  const found = buildScripts(await fetchExport(shop.url), 10, 2, 'peers').find((s) => s.scenario === 'return' && s.language === 'en');
  if (!found) throw new Error('the small catalog has no returnable delivered order');
  conversation = found;
}, 120_000);
afterAll(async () => {
  await sim?.close();
  await shop?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function once(name: string, ask: Ask): Promise<void> {
  await fetch(`${shop.url}/v1/reset`, { method: 'POST' });
  const run = await runConversations([{ ...conversation, conversationId: `${name}-${conversation.conversationId}` }], ask);
  expect(run, run.firstError).toMatchObject({ queries: 2, answered: 2, errors: 0 });
  expect(run.llmCalls).toBeGreaterThanOrEqual(3);
  const ledger = readWriteLedger(join(tmp, 'shop.db'));
  expect(ledger.perOrder.get(conversation.writeOrder!)).toBe(1);
}

describe('bench:peers agents', () => {
  it('the OpenAI Agents SDK carries out a return with its "yes"', async () => {
    await once('oai', openAiAgent({ llmUrl: `${sim.url}/v1`, tools: peerTools(shop.url) }).ask);
  }, 60_000);

  it('LangGraph createReactAgent with the SQLite checkpointer does too, from its checkpoints', async () => {
    const file = join(tmp, 'checkpoints.db');
    const agent = langGraphAgent({ llmUrl: `${sim.url}/v1`, tools: peerTools(shop.url), saver: 'sqlite', sqliteFile: file });
    await once('lg', agent.ask);
    agent.close();
    const db = new DatabaseSync(file, { readOnly: true });
    const rows = db.prepare('SELECT COUNT(*) AS n FROM checkpoints').get() as { n: number };
    db.close();
    expect(rows.n).toBeGreaterThan(2);
  }, 60_000);
});
