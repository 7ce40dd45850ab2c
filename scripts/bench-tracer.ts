// CPU of the compiled tracer per query, without the rest of the system: a private Redis, a stream
// of sample queries' events (sample-events.ts, with their per-query event lists for the root
// spans), a throwaway OTLP/HTTP sink, and the tracer's CPU time (utime + stime from /proc) from
// the moment the events are written until both consumer groups have read and acked them all.
// Deterministic enough to compare two builds on a loaded machine, which the full bench is not.
//
//   node scripts/bench-tracer.ts [--queries 2000] [--dist DIR] [--cpu-prof DIR]   (--dist: another checkout's dist/)
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisServer, freePort, waitForPort } from '@steward/testing';
import { sampleQuery } from '@steward/telemetry';

const { values: a } = parseArgs({ options: { queries: { type: 'string', default: '2000' }, dist: { type: 'string', default: 'dist' }, 'cpu-prof': { type: 'string' } } });
const queries = Number(a.queries);
const PREFIX = 'tb';

const cpuMs = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime in clock ticks (100/s)
};

let exported = 0;
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    exported++;
    res.writeHead(200).end();
  });
});
const sinkPort = await freePort();
await new Promise<void>((r) => sink.listen(sinkPort, '127.0.0.1', r));

const server = await RedisServer.start();
const url = `redis://127.0.0.1:${server.port}`;
const redis = new Redis(url);
const tracerPort = await freePort();
const child = spawn(process.execPath, [resolve(a.dist, 'tracer/main.mjs')], {
  env: {
    PATH: process.env.PATH ?? '',
    REDIS_URL: url,
    REDIS_PREFIX: PREFIX,
    TRACER_PORT: String(tracerPort),
    LOG_LEVEL: 'warn',
    REDACT_PII: 'true',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
    ...(a['cpu-prof'] ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(a['cpu-prof'])}` } : {}),
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
try {
  await waitForPort(tracerPort, 30_000);
  await new Promise((r) => setTimeout(r, 1_000));
  let events = 0;
  const p = redis.pipeline();
  for (let i = 0; i < queries; i++) {
    const q = sampleQuery({ queryId: `q_${i.toString().padStart(6, '0')}`, t0: 1_760_000_000_000 + i * 1000 });
    for (const e of q.events) {
      const json = JSON.stringify(e);
      p.xadd(`${PREFIX}:events`, '*', 'e', json);
      p.rpush(`${PREFIX}:qev:${e.queryId}`, json);
      events++;
    }
  }
  const cpu0 = cpuMs(child.pid!);
  const t0 = Date.now();
  await p.exec();
  // Done when both groups have read every entry and acked it.
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const groups = (await redis.call('XINFO', 'GROUPS', `${PREFIX}:events`)) as unknown[][];
    const done = groups.length === 2 && groups.every((g) => {
      const m = new Map<string, unknown>();
      for (let i = 0; i < g.length; i += 2) m.set(String(g[i]), g[i + 1]);
      return Number(m.get('pending')) === 0 && Number(m.get('entries-read')) === events;
    });
    if (done) break;
    if (Date.now() - t0 > 300_000) throw new Error('the tracer did not drain the stream in 5 minutes');
  }
  const cpu = cpuMs(child.pid!) - cpu0;
  console.log(JSON.stringify({ dist: a.dist, queries, events, exportRequests: exported, wall_s: (Date.now() - t0) / 1000, tracer_cpu_ms: cpu, tracer_cpu_ms_per_query: Math.round((cpu / queries) * 1000) / 1000 }));
} finally {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  redis.disconnect();
  await server.stop();
  sink.close();
}
