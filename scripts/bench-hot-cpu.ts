// CPU of three hot-path pieces the profile of `pnpm bench` pointed at, one process, no Redis or
// HTTP, so before/after can be compared on a busy machine (issue 17, wave 2):
// - loop detection as observe runs it: over the whole history at every turn of a query of
//   TURNS turns, each with one or two tool results of ~1.5 kB of JSON with volatile fields;
// - the SSE parser over a streamed reply (200 chunk events, pushed in network-sized pieces and,
//   as sim-llm sends them, one event per piece);
// - toEvent, the envelope of every event a step writes;
// - the working memory as both workers read it (parseMemory of a stored memory with a customer,
//   two orders and two products of 30 variants), record a query's request (recordRequest) and
//   render it into the prompt (renderMemory, its own budget; new ids every round, so its token
//   counts are counted, not remembered).
// `checksum` (loop levels, events parsed, event JSON length, memory JSON and rendered lengths) must be equal between two trees
// that behave the same.
//
//   node scripts/bench-hot-cpu.ts [--tree /work/wt/base2] [--rounds 3000]
//
// --tree runs another checkout's code (e.g. the "before" of a change) with this harness.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

type Control = typeof import('../packages/control/src/detect-loop.ts');
type LoopTurn = import('../packages/control/src/loop-types.ts').LoopTurn;
type Sse = typeof import('../packages/llm/src/sse-parser.ts');
type Events = typeof import('../packages/store/src/events.ts');
type Context = typeof import('../packages/context/src/index.ts');
type Memory = import('../packages/context/src/index.ts').WorkingMemory;

const { values: a } = parseArgs({
  options: {
    tree: { type: 'string', default: new URL('../', import.meta.url).pathname },
    rounds: { type: 'string', default: '3000' },
  },
});
const tree = resolve(a.tree);
const rounds = Number(a.rounds);
const { detectLoop } = (await import(`${tree}/packages/control/src/detect-loop.ts`)) as Control;
const { SseParser } = (await import(`${tree}/packages/llm/src/sse-parser.ts`)) as Sse;
const { toEvent } = (await import(`${tree}/packages/store/src/events.ts`)) as Events;
const ctx = (await import(`${tree}/packages/context/src/index.ts`)) as Context;

const TURNS = 6;
const order = (q: number, i: number, t: number) =>
  JSON.stringify({
    order_id: `#W${q % 97}${i}`,
    user_id: `user_${q % 31}`,
    status: 'pending',
    fetched_at: `2026-11-30T20:${String(t).padStart(2, '0')}:00Z`,
    request_id: `req-${q}-${t}`,
    address: { address1: '123 Main St', city: 'Springfield', country: 'USA', state: 'IL', zip: '62701' },
    items: Array.from({ length: 5 }, (_, k) => ({ name: `Item ${k}`, product_id: `${1000 + k}`, item_id: `${9000 + k}`, price: 10.5 + k, options: { color: 'red', size: 'M' } })),
    payment_history: [{ transaction_type: 'payment', amount: 62.5, payment_method_id: 'credit_card_1', createdAt: `2026-11-${10 + (q % 10)}T08:00:00Z` }],
  });

/** The histories observe sees in one query: the first turn, the first two, … all TURNS. */
function queryHistories(q: number): LoopTurn[][] {
  const turns: LoopTurn[] = [];
  const out: LoopTurn[][] = [];
  for (let t = 0; t < TURNS; t++) {
    // Parsed from JSON as the stored history is: fresh objects at every observe.
    const calls = [{ name: 'get_order_details', args: { order_id: `#W${q % 97}${t % 3}` }, result: order(q, t % 3, t) }];
    if (t % 2 === 1) calls.push({ name: 'get_user_details', args: { order_id: `user_${q % 31}` }, result: order(q, 7, t) });
    turns.push({ calls });
    out.push(JSON.parse(JSON.stringify(turns)) as LoopTurn[]);
  }
  return out;
}

function cpuMs(f: () => void): number {
  const t = process.cpuUsage();
  f();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
}

let checksum = 0;
const levels = { none: 0, warning: 1, critical: 2 } as const;
// Histories built before the clock starts: only detection is measured.
const histories = Array.from({ length: rounds }, (_, q) => queryHistories(q));
const loopMs = cpuMs(() => {
  for (const query of histories) for (const h of query) checksum += levels[detectLoop(h).level];
});

const chunkEvent = (i: number) =>
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764540000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" word${i}"},"finish_reason":null}]}\n\n`;
const stream = Array.from({ length: 200 }, (_, i) => chunkEvent(i)).join('');
const pieces: string[] = [];
for (let i = 0; i < stream.length; i += 1400) pieces.push(stream.slice(i, i + 1400));
const perEvent = Array.from({ length: 200 }, (_, i) => chunkEvent(i));
const sseMs = cpuMs(() => {
  for (let r = 0; r < rounds; r++) {
    for (const chunks of [pieces, perEvent]) {
      const p = new SseParser(() => checksum++);
      for (const c of chunks) p.push(c);
      p.end();
    }
  }
});

const eventMs = cpuMs(() => {
  for (let r = 0; r < rounds * 10; r++) {
    const e = toEvent({
      id: `q${r}:t1:tool:0`,
      type: 'tool.call',
      queryId: `q${r}`,
      conversationId: `c${r}`,
      traceId: `t${r}`,
      data: { turn: 1, index: 0, spanId: 's', callId: `c${r}`, name: 'get_order_details', startMs: 1, endMs: 2, cacheHit: false, ok: true, arguments: { order_id: '#W1' }, result: order(r, 0, 0) },
    });
    checksum += JSON.stringify(e).length;
  }
});

/** A stored memory as the tool-worker writes it after a customer, two orders and two products were looked up. */
function storedMemory(q: number): string {
  const variants = (p: number) =>
    Object.fromEntries(
      Array.from({ length: 30 }, (_, v) => [
        `${q}${p}${v}`,
        { item_id: `${q}${p}${v}`, options: { color: ['red', 'blue', 'black'][v % 3], size: ['S', 'M', 'L', 'XL'][v % 4], material: 'cotton' }, available: v % 5 !== 0, price: 20 + v },
      ]),
    );
  const call = (i: number, name: string, args: Record<string, unknown>, result: unknown) => ({ callId: `c${q}-${i}`, name, arguments: args, result: JSON.stringify(result) });
  const customer = {
    user_id: `user_${q}`,
    name: { first_name: 'Ann', last_name: 'Lee' },
    email: `ann${q}@example.com`,
    address: { address1: '1 Main St', city: 'Springfield', zip: '62701' },
    payment_methods: { credit_card_1: { source: 'credit_card', brand: 'visa', last_four: '1234', id: 'credit_card_1' } },
    orders: [`#W${q}1`, `#W${q}2`],
  };
  const m = ctx.recordToolCalls(ctx.recordRequest(ctx.emptyMemory(), `q${q}-0`, `I want to exchange the shirt of #W${q}1`), [
    call(0, 'get_user_details', { user_id: `user_${q}` }, customer),
    call(1, 'get_order_details', { order_id: `#W${q}1` }, JSON.parse(order(q, 1, 1))),
    call(2, 'get_order_details', { order_id: `#W${q}2` }, JSON.parse(order(q, 2, 1))),
    call(3, 'get_product_details', { product_id: `p${q}1` }, { product_id: `p${q}1`, name: 'T-Shirt', variants: variants(1) }),
    call(4, 'get_product_details', { product_id: `p${q}2` }, { product_id: `p${q}2`, name: 'Hoodie', variants: variants(2) }),
  ]);
  return JSON.stringify(m);
}
// Built before the clock starts; each step is measured over all rounds, fed the last one's output.
const stored = Array.from({ length: rounds }, (_, q) => storedMemory(q));
const parsedMemories: Memory[] = [];
const parseMs = cpuMs(() => {
  for (const raw of stored) parsedMemories.push(ctx.parseMemory(raw));
});
for (const m of parsedMemories) checksum += JSON.stringify(m).length;
const withRequest: Memory[] = [];
const requestMs = cpuMs(() => {
  for (const [q, m] of parsedMemories.entries()) withRequest.push(ctx.recordRequest(m, `q${q}-1`, `And the hoodie of #W${q}2, can I get it in blue?`));
});
for (const m of withRequest) checksum += JSON.stringify(m).length;
const renderMs = cpuMs(() => {
  for (const m of withRequest) checksum += ctx.renderMemory(m, { model: 'gpt-4o-mini', maxTokens: 1200, recentTicks: 1 }).text.length;
});

console.log(
  JSON.stringify({
    tree,
    rounds,
    loop_detection_ms_per_query: +(loopMs / rounds).toFixed(4),
    sse_parse_ms_per_two_streams: +(sseMs / rounds).toFixed(4),
    to_event_us_per_event: +((eventMs * 1000) / (rounds * 10)).toFixed(3),
    memory_parse_us: +((parseMs * 1000) / rounds).toFixed(2),
    memory_request_us: +((requestMs * 1000) / rounds).toFixed(2),
    memory_render_us: +((renderMs * 1000) / rounds).toFixed(2),
    checksum,
  }),
);
