// Who sends what to Redis, per role: the whole system as separate processes (as scripts/bench.ts
// starts it), a few conversations through the ingress, and a MONITOR connection that sees every
// command. Each client connection is mapped to its process (and so its role) through `ss -tnp`;
// commands run inside a Lua script are counted for the role whose EVAL/EVALSHA ran it. Reports,
// per role and per query: commands, round trips (a MULTI … EXEC counts once; ioredis pipelines
// are invisible to MONITOR and count per command), argument bytes sent on the socket and run
// inside scripts, and the commands and key shapes with the most bytes and trips. MONITOR slows
// Redis down: use the counts, not the timings. Needs `ss` (iproute2).
//
//   node scripts/redis-trips.ts [--conversations 30] [--turns-per-conversation 3]
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { Cluster } from '../test/bench/cluster.ts';
import { buildScripts, fetchExport } from '../test/bench/conversations.ts';
import { CompletionWatcher } from '../test/bench/completions.ts';
import { drive } from '../test/bench/driver.ts';
import { round } from '../test/bench/stats.ts';
import { shapeOf } from '../test/bench/key-shape.ts';

const { values: a } = parseArgs({
  options: {
    conversations: { type: 'string', default: '30' },
    'turns-per-conversation': { type: 'string', default: '3' },
  },
});
const say = (s: string): void => void process.stderr.write(`${s}\n`);

interface Tally {
  calls: number;
  /** Argument bytes of the commands the role sent (a script's own commands are not sent). */
  bytes: number;
  /** Argument bytes of the commands its scripts ran inside Redis. */
  scriptBytes: number;
  /** Calls outside a script: what costs a round trip (pipelines still count one per command). */
  trips: number;
  byCommand: Map<string, { calls: number; bytes: number }>;
  byKey: Map<string, { calls: number; bytes: number }>;
}
const newTally = (): Tally => ({ calls: 0, bytes: 0, scriptBytes: 0, trips: 0, byCommand: new Map(), byKey: new Map() });

/** Local port of each client connection to Redis → pid of the process that holds it. */
function portsToPids(redisPort: number): Map<number, number> {
  const out = new Map<number, number>();
  const text = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${redisPort} )`], { encoding: 'utf8' });
  for (const line of text.split('\n')) {
    const m = /:(\d+)\s+\S+:\d+\s+users:\(\("[^"]*",pid=(\d+)/.exec(line);
    if (m) out.set(Number(m[1]), Number(m[2]));
  }
  return out;
}

const cluster = await Cluster.start({ workers: 2, llmLatency: '0' });
try {
  const data = await fetchExport(cluster.shopUrl);
  const runId = Date.now().toString(36);
  const scripts = buildScripts(data, Number(a.conversations), Number(a['turns-per-conversation']), runId);
  const watcher = new CompletionWatcher(cluster.redisUrl, cluster.prefix);
  await watcher.start();
  const warm = buildScripts(data, 5, 1, `warm${runId}`).map((s) => ({ ...s, conversationId: `w_${s.conversationId}`, messages: s.messages.slice(0, 1) }));
  await drive({ baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey, scripts: warm.filter((s) => !s.writeOrder), watcher });

  const lines: string[] = [];
  const monitor = new Redis(cluster.redisUrl);
  const mon = await monitor.monitor();
  mon.on('monitor', (time: string, argv: string[], source: string) => {
    lines.push(`${source} ${JSON.stringify(argv)}`);
  });
  const run = await drive({ baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey, scripts, watcher, answerTimeoutMs: 120_000 });
  mon.disconnect();
  monitor.disconnect();
  await watcher.stop();
  const queries = Math.max(1, run.records.filter((m) => m.answered).length);

  const redisPort = Number(new URL(cluster.redisUrl).port);
  const pidOfPort = portsToPids(redisPort);
  const roleOfPid = new Map(cluster.procs.map((p) => [p.pid, p.role as string]));
  const tallies = new Map<string, Tally>();
  let lastRole = 'unknown';
  // A MULTI … EXEC reaches Redis as one round trip: its queued commands are not counted as trips.
  const inMulti = new Set<string>();
  for (const line of lines) {
    const sp = line.indexOf(' ');
    const source = line.slice(0, sp);
    const argv = JSON.parse(line.slice(sp + 1)) as string[];
    const inScript = source === 'lua';
    const role = inScript ? lastRole : (roleOfPid.get(pidOfPort.get(Number(source.split(':').pop())) ?? -1) ?? 'bench/monitor');
    if (!inScript) lastRole = role;
    const t = tallies.get(role) ?? newTally();
    tallies.set(role, t);
    const cmd = `${inScript ? 'lua:' : ''}${(argv[0] ?? '').toLowerCase()}`;
    const bytes = argv.reduce((n, s) => n + Buffer.byteLength(s), 0);
    t.calls++;
    if (inScript) t.scriptBytes += bytes;
    else t.bytes += bytes;
    const name = (argv[0] ?? '').toLowerCase();
    if (!inScript && name === 'multi') inMulti.add(source);
    else if (!inScript && name === 'exec') inMulti.delete(source);
    if (!inScript && !inMulti.has(source) && name !== 'exec') t.trips++;
    const c = t.byCommand.get(cmd) ?? { calls: 0, bytes: 0 };
    t.byCommand.set(cmd, { calls: c.calls + 1, bytes: c.bytes + bytes });
    const key = argv.slice(1).find((s) => s.startsWith(`${cluster.prefix}:`));
    if (key && (inScript || !inMulti.has(source) || name === 'multi')) {
      const k = `${cmd} ${shapeOf(key)}`;
      const v = t.byKey.get(k) ?? { calls: 0, bytes: 0 };
      t.byKey.set(k, { calls: v.calls + 1, bytes: v.bytes + bytes });
    }
  }
  const per = (n: number): number => round(n / queries, 1);
  const top = (m: Map<string, { calls: number; bytes: number }>, n: number, by: 'calls' | 'bytes' = 'bytes') =>
    Object.fromEntries(
      [...m]
        .sort((x, y) => y[1][by] - x[1][by])
        .slice(0, n)
        .map(([k, v]) => [k, { calls: per(v.calls), bytes: per(v.bytes) }]),
    );
  const report = {
    bench: 'redis-trips',
    queries,
    per_query_by_role: Object.fromEntries(
      [...tallies]
        .sort((x, y) => y[1].calls - x[1].calls)
        .map(([role, t]) => [
          role,
          {
            commands: per(t.calls),
            round_trips: per(t.trips),
            bytes_sent: per(t.bytes),
            bytes_in_scripts: per(t.scriptBytes),
            by_command: top(t.byCommand, 12),
            by_key: top(t.byKey, 12),
            // What costs a round trip, most frequent first.
            trips_by_key: top(new Map([...t.byKey].filter(([k]) => !k.startsWith('lua:'))), 15, 'calls'),
          },
        ]),
    ),
    note: 'MONITOR lines are read from the EVAL/EVALSHA and commands as received; pipelined commands count one trip each.',
  };
  process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  say(`redis-trips: ${queries} queries`);
} finally {
  await cluster.stop();
}
process.exit(0);
