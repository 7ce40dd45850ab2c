// What a query's deadline costs, and how punctually it fires, for one tree's code (run it from
// each tree, or point --root at one): a private Redis, nothing else running.
//   1. start + end: `--queries` queries accepted through the intake (the accept script and the
//      relay of the start's jobs, as the ingress does) and then ended (the completion script and
//      the relay after it, as the reasoning-worker does), `--concurrency` at a time. Reports per
//      query: this process's CPU for each half, the commands it sent (its round trips, pipelines
//      counted per command), the commands Redis ran (INFO commandstats, scripts' inside included)
//      and Redis's own CPU.
//   2. timeliness: a controller (as deployed: its workers, sweeper and, where the tree has one,
//      its deadline poll) and `--timed` queries with a 1 s deadline that nothing answers, started
//      10 ms apart. Reports how late after its deadline each one ended (completedMs − deadlineAtMs).
//
//   node scripts/bench-deadline.ts [--root DIR] [--queries 2000] [--concurrency 16] [--timed 200]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RedisServer } from '@steward/testing';
import { createRedis as createPlainRedis } from '@steward/store';

const { values: a } = parseArgs({
  options: {
    root: { type: 'string', default: '.' },
    queries: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    timed: { type: 'string', default: '200' },
  },
});
const root = resolve(a.root);
const N = Number(a.queries);
const C = Number(a.concurrency);
const TIMED = Number(a.timed);
const say = (s: string): void => void process.stderr.write(`${s}\n`);

// The measured tree's own modules (its store, controller), not this script's tree.
type Store = typeof import('@steward/store');
const store = (await import(`${root}/packages/store/src/index.ts`)) as Store;
const { startController } = (await import(`${root}/services/controller/src/index.ts`)) as typeof import('@steward/controller');
const { ToolRegistry } = (await import(`${root}/packages/tools/src/index.ts`)) as typeof import('@steward/tools');
const { createLogger } = (await import(`${root}/packages/telemetry/src/index.ts`)) as typeof import('@steward/telemetry');

const server = await RedisServer.start();
const info = createPlainRedis(server.url);
const redisState = async (): Promise<{ cpuMs: number; commands: number }> => {
  const text = await info.info('all');
  const cpu = ['used_cpu_sys', 'used_cpu_user'].reduce((s, k) => s + Number(new RegExp(`${k}:([0-9.]+)`).exec(text)![1]), 0) * 1000;
  let commands = 0;
  for (const m of text.matchAll(/^cmdstat_[a-z|]+:calls=(\d+)/gm)) commands += Number(m[1]);
  return { cpuMs: cpu, commands };
};
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

const prefix = 'bd';
const redis = store.createRedis(server.url);
let sent = 0;
// Every command ioredis sends goes through sendCommand (a script call is one).
const send = redis.sendCommand.bind(redis);
redis.sendCommand = ((...args: Parameters<typeof send>) => {
  sent++;
  return send(...args);
});
const keys = store.createKeys(prefix);
const queues = store.createQueues(redis, prefix);
const queries = new store.QueryStore(redis, keys);
const outbox = new store.Outbox(redis, keys, queues);
const ANSWERED = { outcome: 'answered', reason: 'answered', state: 'completed', answer: 'On its way.' } as const;

async function inBatches(n: number, run: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < n) await run(next++);
    }),
  );
}

async function measured(n: number, run: (i: number) => Promise<void>): Promise<Record<string, number>> {
  const r0 = await redisState();
  const s0 = sent;
  const c0 = process.cpuUsage();
  await inBatches(n, run);
  const c = process.cpuUsage(c0);
  const s = sent - s0;
  const r1 = await redisState();
  return {
    client_cpu_us_per_query: round((c.user + c.system) / n, 1),
    client_commands_per_query: round(s / n, 2),
    redis_commands_per_query: round((r1.commands - r0.commands - 1) / n, 2),
    redis_cpu_us_per_query: round(((r1.cpuMs - r0.cpuMs) * 1000) / n, 1),
  };
}

const ctx = { sender: { principal: 'api' } } as never;
const deps = (deadlineMs: number) => ({ redis, keys, queries, queues, deadlineMs }) as never;
const msg = (tag: string, i: number) => ({ channel: 'api', text: `where is my order #W${1_000_000 + i}?`, conversationId: `c_${tag}_${i}` }) as never;

try {
  // Warm-up (scripts loaded, JIT), not counted.
  const warm: string[] = [];
  await inBatches(200, async (i) => {
    const r = await store.acceptMessage(deps(30_000), msg('w', i), ctx);
    if (r.ok) warm.push(r.queryId);
  });
  await inBatches(warm.length, async (i) => {
    await store.endQuery({ queries, outbox }, (await queries.get(warm[i]!))!, ANSWERED);
  });

  const ids: string[] = new Array<string>(N);
  say(`start: ${N} queries`);
  const start = await measured(N, async (i) => {
    const r = await store.acceptMessage(deps(30_000), msg('s', i), ctx);
    if (!r.ok) throw new Error('refused');
    ids[i] = r.queryId;
  });
  const loaded = await Promise.all(ids.map((id) => queries.get(id)));
  say(`end: ${N} queries`);
  const end = await measured(N, async (i) => {
    if (!(await store.endQuery({ queries, outbox }, loaded[i]!, ANSWERED)).applied) throw new Error('not applied');
  });
  const controlJobs = await queues.control.getJobCounts('delayed', 'wait', 'active', 'completed', 'failed');

  say(`timeliness: ${TIMED} queries with a 1 s deadline`);
  const controller = await startController({ redisUrl: server.url, prefix, registry: new ToolRegistry([]), log: createLogger({ service: 'bench', level: 'warn' }) });
  const timed: string[] = [];
  for (let i = 0; i < TIMED; i++) {
    const r = await store.acceptMessage(deps(1_000), msg('t', i), ctx);
    if (r.ok) timed.push(r.queryId);
    await new Promise((res) => setTimeout(res, 10));
  }
  const until = Date.now() + 15_000;
  let late: number[] = [];
  for (;;) {
    const qs = await Promise.all(timed.map((id) => queries.get(id)));
    if (qs.every((q) => q && q.status !== 'running') || Date.now() > until) {
      late = qs.filter((q) => q?.status === 'failed' && q.reason === 'deadline').map((q) => q!.completedMs! - q!.deadlineAtMs!);
      break;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  await controller.close();
  late.sort((x, y) => x - y);
  const pct = (p: number) => late[Math.min(late.length - 1, Math.floor((p / 100) * late.length))] ?? null;

  process.stdout.write(
    `${JSON.stringify({
      bench: 'deadline',
      root,
      queries: N,
      concurrency: C,
      start,
      end,
      control_jobs_left: controlJobs,
      timeliness: { queries: TIMED, ended_at_deadline: late.length, late_ms: { p50: pct(50), p99: pct(99), max: late.at(-1) ?? null, min: late[0] ?? null } },
    })}\n`,
  );
} finally {
  await queues.close();
  redis.disconnect();
  info.disconnect();
  await server.stop();
}
