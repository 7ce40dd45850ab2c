import { describe, it, expect } from 'vitest';
import type { ChatMessage } from '@steward/core';
import { buildPrompt, type PromptInput } from './build-prompt.ts';
import { buildNaivePrompt } from './naive-prompt.ts';
import { countMessageTokens, countToolDefinitionTokens } from './count-tokens.ts';
import { isOrphanFree } from './message-units.ts';
import { mulberry32 } from '@steward/core';
import { recordRequest, recordToolCalls } from './memory/record.ts';
import { emptyMemory } from './memory/working-memory.ts';

/** Deterministic PRNG so a failing case can be replayed from its seed. */
const rng = mulberry32;

const EN = ['where', 'is', 'my', 'order', 'refund', 'the', 'blue', 'shoes', 'size', '42', 'please', 'exchange', 'thanks'];
const ZH = ['我的', '订单', '在哪里', '退款', '蓝色', '鞋子', '尺码', '请', '换货', '谢谢', '物流', '地址', '。', '，'];

function gen(r: () => number) {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const text = (maxWords: number) => {
    const zh = r() < 0.5;
    const n = int(1, maxWords);
    return Array.from({ length: n }, () => pick(zh ? ZH : EN)).join(zh ? '' : ' ');
  };
  const record = (maxItems: number) =>
    JSON.stringify(
      {
        order_id: `#W${int(1000000, 9999999)}`,
        status: pick(['pending', 'delivered', '已发货']),
        description: text(200),
        items: Array.from({ length: int(0, maxItems) }, (_, i) => ({ item_id: String(1e9 + i), name: text(6), price: int(1, 999) })),
      },
      null,
      r() < 0.5 ? 2 : 0,
    );
  let callSeq = 0;
  const toolStep = (maxItems: number): ChatMessage[] => {
    const ids = Array.from({ length: int(1, 4) }, () => `call_${callSeq++}`);
    const call: ChatMessage = {
      role: 'assistant',
      content: r() < 0.5 ? null : text(40),
      tool_calls: ids.map((id) => ({ id, type: 'function' as const, function: { name: 'get_order_details', arguments: JSON.stringify({ order_id: '#W1' }) } })),
    };
    return [call, ...ids.map((id): ChatMessage => ({ role: 'tool', tool_call_id: id, content: r() < 0.8 ? record(maxItems) : text(300) }))];
  };
  const history: ChatMessage[] = [];
  for (let i = int(0, 30); i > 0; i--) {
    const k = r();
    if (k < 0.4) history.push({ role: 'user', content: text(r() < 0.1 ? 2000 : 60) });
    else if (k < 0.8) history.push({ role: 'assistant', content: text(r() < 0.1 ? 2000 : 80) });
    else if (k < 0.95) history.push(...toolStep(20));
    else history.push({ role: 'tool', tool_call_id: 'orphan', content: 'lost' });
  }
  history.push({ role: 'user', content: text(r() < 0.1 ? 1500 : 50) });
  const scratchpad: ChatMessage[] = [];
  for (let i = int(0, 6); i > 0; i--) scratchpad.push(...toolStep(r() < 0.2 ? 3000 : 30));
  if (r() < 0.1) scratchpad.push({ role: 'tool', tool_call_id: 'nope', content: 'orphan' });
  const input: PromptInput = {
    model: pick(['gpt-4o', 'gpt-4', 'sim-llm-1']),
    system: text(r() < 0.1 ? 3000 : 200),
    history,
    scratchpad,
  };
  if (r() < 0.5) input.policy = text(400);
  if (r() < 0.6) input.summary = text(600);
  if (r() < 0.3) input.retrieved = Array.from({ length: int(1, 3) }, (_, i) => ({ label: `record ${i}`, content: record(500) }));
  if (r() < 0.3) input.loopWarning = text(60);
  if (r() < 0.5) {
    let memory = recordRequest(emptyMemory(), 'q', text(80));
    for (let i = int(1, 8); i > 0; i--) {
      memory = recordToolCalls(memory, [{ callId: `m${i}`, name: 'get_order_details', arguments: { order_id: `#W${i}` }, result: record(int(1, 40)) }]);
    }
    input.memory = memory;
  }
  if (r() < 0.5) input.tools = [{ type: 'function', function: { name: 'get_order_details', description: text(30), parameters: { type: 'object' } } }];
  const budget = { maxContextTokens: int(1200, 16000), outputTokens: int(50, 1000), verbatimMessages: int(1, 12) };
  return { input, budget };
}

describe('buildPrompt', () => {
  // 60 random cases in batches of 10: a case renders up to five levels of every tool result (some
  // of them 100 kB), and a batch that holds the worker's event loop for minutes starves vitest's
  // own RPC on a 2-core machine (the whole run then ends early).
  it.each(Array.from({ length: 6 }, (_, i) => 1 + i * 10))('never exceeds the budget and never orphans a tool message (10 random cases from seed %i)', (from) => {
    for (let seed = from; seed < from + 10; seed++) {
      const { input, budget } = gen(rng(seed));
      const p = buildPrompt(input, budget);
      const ctx = `seed ${seed}`;
      const toolTokens = input.tools ? countToolDefinitionTokens(input.tools, input.model) : 0;
      expect(p.limit, ctx).toBe(budget.maxContextTokens - budget.outputTokens);
      expect(p.tokens, ctx).toBe(countMessageTokens(p.messages, input.model) + toolTokens);
      expect(p.tokens, ctx).toBeLessThanOrEqual(p.limit);
      expect(isOrphanFree(p.messages), ctx).toBe(true);
      expect(p.messages[0]!.role, ctx).toBe('system');
      const last = p.messages[p.messages.length - 1]!;
      if (input.loopWarning) expect(last.role, ctx).toBe('system');
      // The current question is always there (maybe shortened).
      expect(p.messages.some((m) => m.role === 'user'), ctx).toBe(true);
    }
  });

  it('keeps everything when it fits', () => {
    const input: PromptInput = {
      model: 'gpt-4o',
      system: 'You are steward.',
      policy: 'Verify identity first.',
      summary: '[Summary]\nCustomer asked:\n- refund',
      history: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'where is #W1?' },
      ],
      scratchpad: [],
      loopWarning: 'You called the same tool twice with the same arguments.',
    };
    const p = buildPrompt(input);
    expect(p.dropped).toEqual([]);
    expect(p.truncated).toEqual([]);
    expect(p.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'system']);
    expect(p.messages[0]!.content).toContain('Verify identity first.');
    expect(p.messages[0]!.content).toContain('- refund');
    expect(p.messages[4]!.content).toBe(input.loopWarning);
  });

  it('keeps only the verbatim window of the history', () => {
    const history: ChatMessage[] = Array.from({ length: 20 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` }));
    history.push({ role: 'user', content: 'now' });
    const p = buildPrompt({ model: 'gpt-4o', system: 's', history }, { verbatimMessages: 4 });
    expect(p.messages.slice(1).map((m) => m.content)).toEqual(['m17', 'm18', 'm19', 'now']);
  });

  it('drops the oldest history first and tells the model something was left out', () => {
    const long = 'order details and a long story about shoes '.repeat(60);
    const history: ChatMessage[] = [
      { role: 'user', content: `OLD ${long}` },
      { role: 'assistant', content: `MID ${long}` },
      { role: 'user', content: 'NEW question' },
    ];
    const p = buildPrompt({ model: 'gpt-4o', system: 'sys', history }, { maxContextTokens: 1000, outputTokens: 100 });
    const contents = p.messages.map((m) => m.content ?? '');
    expect(contents.some((c) => c.startsWith('OLD'))).toBe(false);
    expect(contents.some((c) => c.startsWith('MID'))).toBe(true);
    expect(p.dropped).toContain('history:0');
    expect(p.messages[0]!.content).toContain('left out to fit');
  });

  it('keeps tool results whole while the window has room; when full, cuts to the skeleton and keeps every id', () => {
    const record = JSON.stringify({ order_id: '#W7', description: 'A long product description. '.repeat(20).trim(), items: Array.from({ length: 40 }, (_, i) => ({ item_id: `item-${i}`, price: i, note: 'a note that is longer than the skeleton keeps for strings' })) });
    const step = (id: string): ChatMessage[] => [
      { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W7"}' } }] },
      { role: 'tool', tool_call_id: id, content: record },
    ];
    const input = { model: 'gpt-4o', system: 's', history: [{ role: 'user' as const, content: 'q' }], scratchpad: [...step('a'), ...step('b')] };
    const roomy = buildPrompt(input, { maxContextTokens: 32_000 });
    expect(roomy.truncated).toEqual([]);
    expect(roomy.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual([record, record]);
    // Just over the window: the results are shortened, but only as far as needed and never past their ids.
    const limit = roomy.tokens - 150;
    const tight = buildPrompt(input, { maxContextTokens: limit + 500, outputTokens: 500 });
    expect(tight.tokens).toBeLessThanOrEqual(limit);
    const [older, latest] = tight.messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '');
    for (const text of [older!, latest!]) for (let i = 0; i < 40; i++) expect(text).toContain(`item-${i}`);
    expect(older!.length).toBeLessThan(record.length);
  });

  it('gives tiers in priority: open requests and working memory stay while history and summary go', () => {
    let memory = recordRequest(emptyMemory(), 'q1', 'Please exchange the lamp in order #W1000001 for the white one');
    memory = recordToolCalls(memory, [
      { callId: 'x', name: 'get_order_details', arguments: { order_id: '#W1000001' }, result: JSON.stringify({ order_id: '#W1000001', status: 'delivered', items: [{ item_id: '5550001', product_id: '777', name: 'Lamp', price: 10, options: { color: 'black' } }], payment_history: [{ transaction_type: 'payment', amount: 10, payment_method_id: 'credit_card_9' }] }) },
    ]);
    const history: ChatMessage[] = [{ role: 'user', content: 'Please exchange the lamp in order #W1000001 for the white one' }];
    for (let i = 0; i < 10; i++) history.push({ role: 'assistant', content: `answer ${i} ${'blah '.repeat(120)}` }, { role: 'user', content: `follow-up ${i} ${'more '.repeat(120)}` });
    history.push({ role: 'user', content: 'yes' });
    const p = buildPrompt({ model: 'gpt-4o', system: 'You are steward.', history, memory, summary: 'Customer asked:\n- hello' }, { maxContextTokens: 800, outputTokens: 100 });
    expect(p.tokens).toBeLessThanOrEqual(700);
    const system = p.messages[0]!.content ?? '';
    expect(system).toContain('Please exchange the lamp in order #W1000001');
    for (const id of ['#W1000001', '5550001', '777', 'credit_card_9']) expect(system).toContain(id);
    expect(p.dropped.some((d) => d.startsWith('history:') || d === 'summary')).toBe(true);
    expect(p.tiers!.memory).toBeGreaterThan(0);
  });

  it('folds messages that left the verbatim window into the summary at once', () => {
    const history: ChatMessage[] = [{ role: 'user', content: 'My first request: refund order #W4444444' }];
    for (let i = 0; i < 4; i++) history.push({ role: 'assistant', content: `a${i}` }, { role: 'user', content: `u${i}` });
    const p = buildPrompt({ model: 'gpt-4o', system: 's', history }, { verbatimMessages: 4 });
    expect(p.messages[0]!.content).toContain('My first request: refund order #W4444444');
  });

  it('drops a tool step as a whole, never a call without its results', () => {
    const huge = 'x '.repeat(5000);
    const scratchpad: ChatMessage[] = [];
    for (let s = 0; s < 6; s++) {
      const ids = [`c${s}a`, `c${s}b`, `c${s}c`];
      scratchpad.push({ role: 'assistant', content: 'thinking', tool_calls: ids.map((id) => ({ id, type: 'function' as const, function: { name: 'f', arguments: '{}' } })) });
      for (const id of ids) scratchpad.push({ role: 'tool', tool_call_id: id, content: huge });
    }
    const p = buildPrompt({ model: 'gpt-4o', system: 's', history: [{ role: 'user', content: 'q' }], scratchpad }, { maxContextTokens: 700, outputTokens: 100 });
    expect(p.tokens).toBeLessThanOrEqual(600);
    expect(p.dropped.some((d) => d.startsWith('scratchpad:'))).toBe(true);
    expect(isOrphanFree(p.messages)).toBe(true);
    const calls = p.messages.filter((m) => m.role === 'assistant').length;
    expect(p.messages.filter((m) => m.role === 'tool')).toHaveLength(calls * 3);
    // The latest step survives.
    expect(p.messages.some((m) => m.role === 'tool' && m.tool_call_id === 'c5a')).toBe(true);
  });

  it('removes orphan tool messages given to it', () => {
    const p = buildPrompt({
      model: 'gpt-4o',
      system: 's',
      history: [{ role: 'tool', tool_call_id: 'ghost', content: 'x' }, { role: 'user', content: 'q' }],
      scratchpad: [{ role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }] }],
    });
    expect(p.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(p.dropped).toEqual(['orphan:history:0', 'orphan:scratchpad:0']);
  });

  it('shrinks even the pinned parts rather than overflow, and refuses an impossible budget', () => {
    const p = buildPrompt(
      { model: 'gpt-4o', system: '规则：'.repeat(3000), history: [{ role: 'user', content: '请问'.repeat(3000) }], loopWarning: 'stop '.repeat(500) },
      { maxContextTokens: 800, outputTokens: 200 },
    );
    expect(p.tokens).toBeLessThanOrEqual(600);
    expect(p.truncated).toEqual(expect.arrayContaining(['system', 'current', 'loopWarning']));
    expect(() => buildPrompt({ model: 'gpt-4o', system: 'x '.repeat(500), history: [] }, { maxContextTokens: 40, outputTokens: 20 })).toThrow(
      /cannot hold/,
    );
  });
});

describe('buildNaivePrompt', () => {
  it('sends the whole history unbudgeted', () => {
    const { input, budget } = gen(rng(7));
    const naive = buildNaivePrompt(input);
    const budgeted = buildPrompt(input, budget);
    expect(naive.tokens).toBe(countMessageTokens(naive.messages, input.model) + (input.tools ? countToolDefinitionTokens(input.tools, input.model) : 0));
    expect(naive.tokens).toBeGreaterThanOrEqual(budgeted.tokens);
    expect(isOrphanFree(naive.messages)).toBe(true);
  });
});
