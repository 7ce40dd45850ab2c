// CPU of the compiled ingress, without the rest of the system: a private Redis (AOF on, as the
// load bench runs it), the ingress as deployed (hardened input, admission with the customer and
// channel buckets, the relay of the started query's jobs after the 202), and `--concurrency`
// clients over keep-alive connections. Nothing consumes the queues. Two phases per run:
//   accepted — the first message of new conversations, one customer each: every message starts
//              a query (the load bench's common path);
//   refused  — customers whose bucket (the deployed 0.2/s, burst 5) is spent post again, as the
//              load bench's driver retries a 429 every 250 ms (0.6 such retries per query there).
// The ingress's and Redis's CPU time (utime + stime from /proc) is read around each phase, and
// the acknowledgement's latency seen by the clients. Several builds are measured alternately in
// one sitting (A, B, A, B, …), which the full bench on a shared machine cannot separate.
//
//   node scripts/bench-ingress.ts [--dist dist,/other/tree/dist] [--messages 3000] [--retries 3000]
//                                 [--concurrency 8] [--rounds 2] [--cpu-prof DIR]
//
// Prints one JSON line per build and round on stderr, the report (JSON) last on stdout.
import { parseArgs } from 'node:util';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { RedisServer, freePort, waitForPort } from '@steward/testing';
import { cpuMsOf } from '../test/bench/proc-cpu.ts';
import { percentile, round } from '../test/bench/stats.ts';
import { DEPLOYED_NODE_OPTIONS } from '../test/bench/cluster.ts';

const { values: a } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    messages: { type: 'string', default: '3000' },
    retries: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    /** V8 CPU profiles of the ingress processes (one sub-directory per build and round). */
    'cpu-prof': { type: 'string' },
  },
});
const dists = a.dist.split(',').map((d) => resolve(d));
const messages = Number(a.messages);
const retries = Number(a.retries);
const concurrency = Number(a.concurrency);
const KEY = 'bench-ingress-key-0123456789abcdef';
const say = (s: string): void => void process.stderr.write(`${s}\n`);

const server = await RedisServer.start({ appendonly: true });
const admin = new Redis(server.url);
const redisPid = Number(/process_id:(\d+)/.exec(await admin.info('server'))?.[1]);

interface Run {
  dist: string;
  round: number;
  accepted_cpu_us: { ingress: number; redis: number };
  refused_cpu_us: { ingress: number; redis: number };
  ack_ms: { p50: number; p99: number };
  refused_ms: { p50: number; p99: number };
}

async function startIngress(dist: string, prefix: string, tag: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const prof = a['cpu-prof'] ? ` --cpu-prof --cpu-prof-dir=${join(resolve(a['cpu-prof']), tag)}` : '';
  const child = spawn(process.execPath, [join(dist, 'ingress/main.mjs')], {
    cwd: dirname(dist),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_OPTIONS: DEPLOYED_NODE_OPTIONS + prof,
      REDIS_URL: server.url,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      PORT: String(port),
      INGRESS_API_KEYS: KEY,
      // As the load bench: one key drives every customer, so its principal bucket is off; no
      // workers drain the queue, so the backlog threshold is off too.
      // The channel bucket stays (the deployed two buckets per message), but wide enough for a
      // burst of thousands of messages a second.
      RATE_PRINCIPAL_PER_SEC: '0',
      RATE_CHANNEL_PER_SEC: '100000',
      RATE_CHANNEL_BURST: '100000',
      MAX_REASONING_BACKLOG: '0',
    },
  });
  await waitForPort(port, 30_000);
  return { child, url: `http://127.0.0.1:${port}` };
}

async function post(url: string, body: Record<string, string>): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0 };
}

/** `n` requests, `concurrency` at a time; the status and duration of each. */
async function drive(n: number, make: (i: number) => Record<string, string>, url: string): Promise<{ status: number; ms: number }[]> {
  const out: { status: number; ms: number }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out.push(await post(url, make(i)));
      }
    }),
  );
  return out;
}

async function measure(dist: string, roundNo: number): Promise<Run> {
  const tag = `${roundNo}${dists.indexOf(dist)}`;
  const prefix = `{icb${tag}}`;
  const { child, url } = await startIngress(dist, prefix, `ingress-${tag}`);
  const pid = child.pid!;
  try {
    const text = 'where is my order #W1234567';
    // Warm-up (JIT, connections, scripts loaded), not measured.
    await drive(300, (i) => ({ conversationId: `w_${tag}_${i}`, customerId: `wu_${tag}_${i}`, text, messageId: `w${i}` }), url);

    let c0 = cpuMsOf(pid);
    let r0 = cpuMsOf(redisPid);
    const acc = await drive(messages, (i) => ({ conversationId: `c_${tag}_${i}`, customerId: `cu_${tag}_${i}`, text, messageId: `m${i}` }), url);
    const accepted = acc.filter((r) => r.status === 202);
    if (accepted.length !== messages) throw new Error(`${messages - accepted.length} messages were not accepted`);
    // The relay after the 202 finishes shortly after the last answer.
    await new Promise((r) => setTimeout(r, 300));
    const accCpu = { ingress: ((cpuMsOf(pid) - c0) * 1000) / messages, redis: ((cpuMsOf(redisPid) - r0) * 1000) / messages };

    // 100 customers spend their burst of 5 (not measured), then retry past it.
    const spenders = 100;
    await drive(spenders * 5, (i) => ({ conversationId: `s_${tag}_${i % spenders}`, customerId: `sp_${tag}_${i % spenders}`, text, messageId: `s${i}` }), url);
    c0 = cpuMsOf(pid);
    r0 = cpuMsOf(redisPid);
    const ref = await drive(retries, (i) => ({ conversationId: `s_${tag}_${i % spenders}`, customerId: `sp_${tag}_${i % spenders}`, text, messageId: `r${i}` }), url);
    const refused = ref.filter((r) => r.status === 429);
    // At 0.2/s a few tokens come back during the phase; those are accepted, as in production.
    if (refused.length < retries * 0.9) throw new Error(`only ${refused.length} of ${retries} retries were refused`);
    const refCpu = { ingress: ((cpuMsOf(pid) - c0) * 1000) / retries, redis: ((cpuMsOf(redisPid) - r0) * 1000) / retries };
    const ms = (xs: { ms: number }[]) => {
      const v = xs.map((x) => x.ms).sort((p, q) => p - q);
      return { p50: round(percentile(v, 50), 2), p99: round(percentile(v, 99), 2) };
    };
    return {
      dist,
      round: roundNo,
      accepted_cpu_us: { ingress: Math.round(accCpu.ingress), redis: Math.round(accCpu.redis) },
      refused_cpu_us: { ingress: Math.round(refCpu.ingress), redis: Math.round(refCpu.redis) },
      ack_ms: ms(accepted),
      refused_ms: ms(refused),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const runs: Run[] = [];
for (let r = 1; r <= Number(a.rounds); r++) {
  for (const dist of dists) {
    const run = await measure(dist, r);
    runs.push(run);
    say(JSON.stringify(run));
  }
}
admin.disconnect();
await server.stop();
const mean = (xs: number[]) => Math.round(xs.reduce((p, q) => p + q, 0) / xs.length);
const byDist = dists.map((dist) => {
  const mine = runs.filter((r) => r.dist === dist);
  return {
    dist,
    accepted_ingress_cpu_us: mean(mine.map((r) => r.accepted_cpu_us.ingress)),
    accepted_redis_cpu_us: mean(mine.map((r) => r.accepted_cpu_us.redis)),
    refused_ingress_cpu_us: mean(mine.map((r) => r.refused_cpu_us.ingress)),
    refused_redis_cpu_us: mean(mine.map((r) => r.refused_cpu_us.redis)),
  };
});
process.stdout.write(`${JSON.stringify({ bench: 'ingress', settings: { messages, retries, concurrency, rounds: Number(a.rounds) }, runs, by_dist: byDist })}\n`);
