// CPU of the compiled ingress per accepted message, without the rest of the system: a private
// Redis, the ingress as deployed (hardened input, admission with the customer and channel
// buckets, the relay of the started query's jobs), and `--concurrency` clients each posting the
// first message of new conversations (one customer each) over keep-alive connections. Nothing
// consumes the queues, so every message starts a query. The ingress's CPU time (utime + stime
// from /proc) is read around the posting. Deterministic enough to compare two builds on a loaded
// machine, which the full bench is not.
//
//   node scripts/bench-ingress.ts [--messages 3000] [--concurrency 8] [--dist DIR] [--cpu-prof DIR]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RedisServer, freePort, waitForPort } from '@steward/testing';

const { values: a } = parseArgs({
  options: {
    messages: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '8' },
    dist: { type: 'string', default: 'dist' },
    'cpu-prof': { type: 'string' },
  },
});
const messages = Number(a.messages);
const concurrency = Number(a.concurrency);
const API_KEY = 'stw_bench_ingress_key_0123456789';

const cpuMs = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime in clock ticks (100/s)
};

const server = await RedisServer.start();
const port = await freePort();
const child = spawn(process.execPath, [resolve(a.dist, 'ingress/main.mjs')], {
  env: {
    PATH: process.env.PATH ?? '',
    REDIS_URL: `redis://127.0.0.1:${server.port}`,
    REDIS_PREFIX: 'ib',
    PORT: String(port),
    INGRESS_API_KEYS: API_KEY,
    LOG_LEVEL: 'warn',
    REDACT_PII: 'true',
    // One key sends everything (as in scripts/bench.ts) and nothing drains the reasoning queue.
    RATE_PRINCIPAL_PER_SEC: '0',
    // The channel bucket stays on (its script runs per message, as deployed) but never refuses.
    RATE_CHANNEL_PER_SEC: '1000000',
    RATE_CHANNEL_BURST: '1000000',
    MAX_REASONING_BACKLOG: String(messages * 10),
    ...(a['cpu-prof'] ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(a['cpu-prof'])}` } : {}),
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
try {
  await waitForPort(port, 30_000);
  const post = async (i: number): Promise<number> => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({ conversationId: `c_bench_${i}`, customerId: `cust_${i}`, text: `where is my order #W${1_000_000 + i}?`, messageId: `m_${i}` }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  // Warm-up (JIT, connections, scripts loaded), not measured.
  for (let i = 0; i < 200; i++) await post(messages + i);
  const statuses = new Map<number, number>();
  let next = 0;
  const cpu0 = cpuMs(child.pid!);
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messages) {
        const s = await post(next++);
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
      }
    }),
  );
  // The relay after the 202 finishes shortly after the last answer.
  await new Promise((r) => setTimeout(r, 500));
  const cpu = cpuMs(child.pid!) - cpu0;
  const wall = (Date.now() - t0) / 1000;
  console.log(
    JSON.stringify({ dist: a.dist, messages, concurrency, statuses: Object.fromEntries(statuses), wall_s: wall, ingress_cpu_ms: cpu, ingress_cpu_ms_per_message: Math.round((cpu / messages) * 1000) / 1000 }),
  );
} finally {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  await server.stop();
}
