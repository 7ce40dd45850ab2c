// CPU of a tool call's record, the tool-worker's side, one process against a private Redis: the
// call's tool.call event and its result recorded in the turn's DAG (DagStore.complete with the
// observe step's reads), for turns of two calls whose second ends the turn (so the script returns
// the query, the results, the scratchpad of a few turns, the loop history and the memory, and the
// worker parses them). The events and results are ~1.5 kB of τ-bench-like JSON. Counts this
// process's CPU per call (Node's side: commands written, replies read and parsed), which another
// load on the machine barely changes, unlike latencies; Redis's own CPU is not in it.
//
//   node scripts/bench-record-cpu.ts [--tree /work/wt/base] [--turns 3000]
//
// --tree runs another checkout's store (e.g. the "before" of a change) with this harness: a tree
// whose DagStore.complete takes the event writes it there, else with emitEvent beside it (as its
// tool-worker did).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

type Store = typeof import('../packages/store/src/index.ts');
type Testing = typeof import('../packages/testing/src/index.ts');

const { values: a } = parseArgs({
  options: {
    tree: { type: 'string', default: new URL('../', import.meta.url).pathname },
    turns: { type: 'string', default: '3000' },
  },
});
const tree = resolve(a.tree);
const store = (await import(`${tree}/packages/store/src/index.ts`)) as Store;
const { RedisServer, uniquePrefix } = (await import(`${tree}/packages/testing/src/index.ts`)) as Testing;
// The tree's DAG script writes the event itself (this change) or not (before it).
const eventInScript = 'proposalIn' in (store as object);

const srv = await RedisServer.start();
const redis = store.createRedis(srv.url);
const keys = store.createKeys(uniquePrefix('record-cpu'));
const dags = new store.DagStore(redis, keys);

const order = (q: number, i: number) =>
  JSON.stringify({
    order_id: `#W${q}${i}`,
    user_id: `user_${q % 31}`,
    status: 'pending',
    address: { address1: '123 Main St', city: 'Springfield', country: 'USA', state: 'IL', zip: '62701' },
    items: Array.from({ length: 6 }, (_, k) => ({ name: `Item ${k}`, product_id: `${1000 + k}`, item_id: `${9000 + k}`, price: 10.5 + k, options: { color: 'red', size: 'M' } })),
    payment_history: [{ transaction_type: 'payment', amount: 62.5, payment_method_id: 'credit_card_1' }],
  });
const call = (q: string, i: number) => ({ name: 'get_order_details', arguments: { order_id: `#W${i}` }, id: `call_${q}_${i}` });

async function turn(n: number): Promise<void> {
  const q = `q${n}`;
  const c = `c${n}`;
  const calls = [call(q, 0), call(q, 1)];
  await dags.init(
    q,
    1,
    calls.map((x, i) => ({
      pending: 0,
      dependents: [],
      job: { queryId: q, conversationId: c, turn: 1, index: i, callId: x.id, name: x.name, arguments: x.arguments },
    })),
  );
  // The query as the DAG's observe read finds it: a first turn's steps and history, this turn's proposal.
  const first = { role: 'tool', tool_call_id: 'call_0', content: order(n, 9) };
  const proposal = { role: 'assistant', content: null, tool_calls: calls.map((x) => ({ id: x.id, type: 'function', function: { name: x.name, arguments: JSON.stringify(x.arguments) } })) };
  await redis.hset(keys.query(q), { queryId: q, conversationId: c, status: 'running', state: 'acting', turn: '1', traceId: 't' });
  await redis.rpush(keys.querySteps(q), ...[{ role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_user_details', arguments: '{}' } }] }, first, proposal].map((m) => JSON.stringify(m)));
  await redis.rpush(keys.queryHistory(q), JSON.stringify({ calls: [{ name: 'get_user_details', args: {}, result: order(n, 9) }] }));
  await redis.hset(keys.conversation(c), { customerId: `user_${n % 31}`, memory: JSON.stringify({ seq: 1, orders: [], products: [] }) });
}

async function record(n: number, i: number): Promise<number> {
  const q = `q${n}`;
  const result = { name: 'get_order_details', callId: `call_${q}_${i}`, result: order(n, i), ok: true, cacheHit: false };
  const event = {
    id: `${q}:t1:c${i}:tool`,
    type: 'tool.call' as const,
    queryId: q,
    conversationId: `c${n}`,
    traceId: 't',
    ts: 1_000,
    data: { turn: 1, index: i, callId: result.callId, spanId: `s${i}`, name: result.name, startMs: 990, endMs: 1_000, cacheHit: false, ok: true, arguments: { order_id: `#W${i}` }, result: result.result },
  };
  const load = { conversationId: `c${n}` };
  if (eventInScript) return (await dags.complete(q, 1, i, result, i, load, event)).left;
  const [, progress] = await Promise.all([store.emitEvent(redis, keys, event), dags.complete(q, 1, i, result, i, load)]);
  return progress.left;
}

const turns = Number(a.turns);
for (let n = 0; n < turns + 300; n++) await turn(n);
let left = 0;
// The first 300 turns warm the JIT up.
for (let n = 0; n < 300; n++) for (const i of [0, 1]) left += await record(n, i);
const t0 = process.cpuUsage();
for (let n = 300; n < turns + 300; n++) for (const i of [0, 1]) left += await record(n, i);
const cpu = process.cpuUsage(t0);
const info = await redis.info('commandstats');
redis.disconnect();
await srv.stop();
if (left !== turns + 300) throw new Error(`expected one call left after each turn's first record, counted ${left - turns - 300} more`);
console.log(
  JSON.stringify({
    tree,
    event_in_script: eventInScript,
    calls: turns * 2,
    cpu_ms_per_call: Math.round(((cpu.user + cpu.system) / 1000 / (turns * 2)) * 1000) / 1000,
    evalsha_calls: Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0),
  }),
);
