// What one BullMQ job costs by itself, beside the hop it carries: N jobs with a reasoning job's
// payload and options, each added by a producer and taken by a worker whose handler does nothing,
// on a private redis-server (so Redis's own CPU is this run's alone). Two workers side by side in
// one run: BullMQ's plain Worker, and steward's startWorker (the schema parse, the job prelude, the
// log context, the lock keeper and its thread). The figure bounds what a pipeline with fewer jobs
// per query can save: jobs per query × this cost (see docs/BENCHMARKS.md, "Session 9").
//
//   node scripts/bench-job-cost.ts [--jobs 3000] [--concurrency 50] [--rounds 3]
//
// The JSON report is the last line of stdout.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisServer } from '@steward/testing';
import { JOB_OPTIONS, startWorker } from '@steward/store';

const { values: a } = parseArgs({
  options: {
    jobs: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
  },
});
const N = Number(a.jobs);
const concurrency = Number(a.concurrency);
const rounds = Number(a.rounds);

const srv = await RedisServer.start();
const admin = new Redis(srv.url);
const silent = { info() {}, warn() {}, error() {}, debug() {} };

/** Redis's CPU so far, ms (user + system of the server process). */
async function redisCpuMs(): Promise<number> {
  const s = await admin.info('cpu');
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(s)![1]);
  const user = Number(/used_cpu_user:([\d.]+)/.exec(s)![1]);
  return (sys + user) * 1000;
}

type Kind = 'bullmq' | 'steward';

async function run(kind: Kind, round: number): Promise<{ node_ms_per_job: number; redis_ms_per_job: number; wall_ms: number }> {
  const prefix = `{jc${round + 1}${kind}}`;
  const connection = new Redis(srv.url, { maxRetriesPerRequest: null });
  const queue = new Queue('reasoning', { connection, prefix });
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const handler = async (): Promise<null> => {
    if (++done === N) finish();
    return null;
  };
  const workerConnection = new Redis(srv.url, { maxRetriesPerRequest: null });
  const worker: Worker =
    kind === 'bullmq'
      ? new Worker('reasoning', handler, { connection: workerConnection, prefix, concurrency })
      : startWorker('reasoning', handler, { connection: workerConnection, prefix, concurrency, log: silent });
  await worker.waitUntilReady();
  // The keeper's thread connects before the worker takes jobs: give it its start.
  await new Promise((r) => setTimeout(r, 300));
  const c0 = process.cpuUsage();
  const r0 = await redisCpuMs();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const queryId = `q${round}x${i}`;
    await queue.add('reasoning', { type: 'reason', queryId, conversationId: `c${i % 500}`, turn: 1 }, { ...JOB_OPTIONS.reasoning, jobId: `${queryId}:t1:reason` });
  }
  await finished;
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const r1 = await redisCpuMs();
  await worker.close();
  await queue.close();
  connection.disconnect();
  workerConnection.disconnect();
  return { node_ms_per_job: (c.user + c.system) / 1000 / N, redis_ms_per_job: (r1 - r0) / N, wall_ms: Math.round(wall) };
}

const results: Record<Kind, { node_ms_per_job: number; redis_ms_per_job: number; wall_ms: number }[]> = { bullmq: [], steward: [] };
try {
  // A warm-up of each (JIT, the keeper thread's start, Redis's script cache), not counted.
  for (const kind of ['bullmq', 'steward'] as const) await run(kind, -1);
  for (let r = 0; r < rounds; r++) {
    // Alternated, so drift of a shared machine falls on both.
    for (const kind of r % 2 === 0 ? (['bullmq', 'steward'] as const) : (['steward', 'bullmq'] as const)) {
      const x = await run(kind, r);
      results[kind].push(x);
      process.stderr.write(`${kind} round ${r + 1}: ${JSON.stringify(x)}\n`);
    }
  }
} finally {
  admin.disconnect();
  await srv.stop();
}
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
const summary = (k: Kind) => {
  const node = median(results[k].map((x) => x.node_ms_per_job));
  const redis = median(results[k].map((x) => x.redis_ms_per_job));
  return { node_ms_per_job: +node.toFixed(3), redis_ms_per_job: +redis.toFixed(3), total_ms_per_job: +(node + redis).toFixed(3) };
};
const bull = summary('bullmq');
const steward = summary('steward');
console.log(
  JSON.stringify({
    bench: 'job-cost',
    machine: { nproc: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    settings: { jobs: N, concurrency, rounds, queue: 'reasoning', handler: 'no-op' },
    bullmq_worker: bull,
    steward_worker: steward,
    steward_over_bullmq: +(steward.total_ms_per_job / bull.total_ms_per_job).toFixed(2),
    rounds: results,
  }),
);
