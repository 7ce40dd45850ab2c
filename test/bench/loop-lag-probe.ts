// Loaded into a service process with `node --import` (NODE_OPTIONS) by scripts/bench-loop-lag.ts:
// records how late the process's event loop ran timers — the lag a job lock's renewal must
// tolerate — and writes the histogram to $LOOP_LAG_DIR every second and at exit. SIGUSR2 starts
// it afresh: the benchmark sends it when the load begins, so start-up (the tokenizer build,
// before a worker takes jobs) is not counted.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';

const dir = process.env.LOOP_LAG_DIR;
if (dir) {
  // A worker thread (the lock keeper) is reported as its process's role + " thread" by the benchmark.
  const role = isMainThread ? (/services\/([^/]+)\/src\/main\.ts$/.exec(process.argv[1] ?? '')?.[1] ?? 'unknown') : 'thread';
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const file = join(dir, `${role}-${process.pid}-${threadId}.json`);
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  const dump = (): void => {
    try {
      writeFileSync(file, JSON.stringify({ role, pid: process.pid, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), p999: ms(h.percentile(99.9)), max: ms(h.max), samples: h.count }));
    } catch {
      // The run's directory is gone: nothing to report to.
    }
  };
  setInterval(dump, 1_000).unref();
  process.on('SIGUSR2', () => h.reset());
  process.on('exit', dump);
}
