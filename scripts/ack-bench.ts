// The ingress acknowledgement's own work, without HTTP and without the rest of the pipeline:
// admission, the conversation read, the accept script, the accepted event and the relay of the
// first jobs (acceptMessage), against a private Redis with AOF, for arrivals spread as the peak
// profile's first messages are (every customer's first think ends within 10 s).
//
//   node scripts/ack-bench.ts [--tree DIR] [--customers 500] [--window-ms 10000] [--rounds 2]
//
// --tree: the checkout whose @steward/store, @steward/channels and @steward/core are measured
// (default this one), so a "before" tree is measured by the same driver in the same sitting.
// Prints one JSON line: accept duration p50/p99/max and Redis commands per accept.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisServer } from '@steward/testing';
import { percentile, round } from '../test/bench/stats.ts';

const { values: a } = parseArgs({
  options: {
    tree: { type: 'string', default: fileURLToPath(new URL('..', import.meta.url)) },
    customers: { type: 'string', default: '500' },
    'window-ms': { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '2' },
  },
});
const tree = resolve(a.tree);
const store = (await import(join(tree, 'packages/store/src/index.ts'))) as typeof import('@steward/store');
const channels = (await import(join(tree, 'packages/channels/src/index.ts'))) as typeof import('@steward/channels');
const core = (await import(join(tree, 'packages/core/src/index.ts'))) as typeof import('@steward/core');

const server = await RedisServer.start({ appendonly: true });
const prefix = '{ack}';
const cfg = core.loadConfig({ REDIS_URL: server.url, REDIS_PREFIX: prefix }, 'ingress');
const redis = store.createRedis(server.url);
const keys = store.createKeys(prefix);
const queues = store.createQueues(redis, prefix);
const admission = await channels.startAdmission({ redisUrl: server.url, prefix, ...cfg.admission });
const relaying = new Set<Promise<void>>();
const deps = {
  redis,
  keys,
  queries: new store.QueryStore(redis, keys),
  queues,
  deadlineMs: core.DEFAULTS.deadlineMs,
  admit: admission.admit,
  // As the ingress wired it before ADR 0040, for an older tree (a tree without the hook ignores it).
  relayAfterAck: (p: Promise<void>) => {
    const t = p.catch(() => undefined).finally(() => relaying.delete(t));
    relaying.add(t);
  },
};
const commands = async (): Promise<number> => {
  const info = await redis.info('commandstats');
  return [...info.matchAll(/calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
};

const customers = Number(a.customers);
const windowMs = Number(a['window-ms']);
const durations: number[] = [];
const c0 = await commands();
for (let round_ = 0; round_ < Number(a.rounds); round_++) {
  await Promise.all(
    Array.from({ length: customers }, async (_, i) => {
      await new Promise((r) => setTimeout(r, Math.random() * windowMs));
      const t0 = performance.now();
      const r = await store.acceptMessage(
        deps,
        { conversationId: `c${round_}_${i}`, customerId: `cust_${i}`, text: i % 2 ? '我的订单 #W1234567 到哪里了？' : 'Where is my order #W1234567?', channel: 'api', messageId: `m${round_}_${i}` },
        { sender: { principal: 'bench' } },
      );
      durations.push(performance.now() - t0);
      if (!r.ok) throw new Error(`not accepted: ${r.code}`);
    }),
  );
}
await Promise.all(relaying);
const accepts = durations.length;
const perAccept = ((await commands()) - c0) / accepts;
process.stdout.write(
  `${JSON.stringify({
    bench: 'ack',
    tree,
    customers,
    window_ms: windowMs,
    accepts,
    accept_ms: { p50: round(percentile(durations, 50), 2), p99: round(percentile(durations, 99), 2), max: round(Math.max(...durations), 2) },
    // The INFO call itself and the relays' BullMQ scripts included (the relay is the same work either way).
    redis_commands_per_accept: round(perAccept, 1),
  })}\n`,
);
await admission.close();
await queues.close();
redis.disconnect();
await server.stop();
process.exit(0);
