// Where Redis's own CPU goes, per script: the whole system as separate processes (as
// scripts/bench.ts starts it) against its private Redis, with every command logged to the SLOWLOG
// (`slowlog-log-slower-than 0`). An entry carries the command's execution time in µs (not its
// network I/O) and its first arguments, so an EVALSHA's time is attributed to its sha: BullMQ's
// scripts are named by the sha1 of their source (bullmq/dist/esm/scripts), steward's by the source
// the warm-up's MONITOR saw it sent with (after a SCRIPT FLUSH of this private Redis, each is sent
// whole once, on NOSCRIPT: redis.ts).
// MONITOR runs during the warm-up only: it feeds every command a script runs to the monitor, which
// would count in the script's time. Reports µs per query by script and by plain command, beside
// Redis's CPU per query (INFO cpu) in the same window. The SLOWLOG itself costs Redis some CPU:
// compare runs of this script with each other, not with the load bench's figures.
//
//   node scripts/redis-scripts.ts [--conversations 100] [--turns-per-conversation 3] [--llm-latency 800±300ms]
//                                 [--services-from DIR]   (another checkout's services, e.g. the "before" tree)
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Cluster } from '../test/bench/cluster.ts';
import { buildScripts, fetchExport } from '../test/bench/conversations.ts';
import { CompletionWatcher } from '../test/bench/completions.ts';
import { drive } from '../test/bench/driver.ts';
import { round } from '../test/bench/stats.ts';
import { shapeOf } from '../test/bench/key-shape.ts';

const { values: a } = parseArgs({
  options: {
    conversations: { type: 'string', default: '100' },
    'turns-per-conversation': { type: 'string', default: '3' },
    'services-from': { type: 'string' },
    // The model double's latency ("800±300ms" holds as many reasoning jobs in flight as the peak).
    'llm-latency': { type: 'string', default: '0' },
  },
});
const say = (s: string): void => void process.stderr.write(`${s}\n`);
const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

/** sha → BullMQ script name, from the sources BullMQ loads with defineCommand. */
async function bullmqShas(): Promise<Map<string, string>> {
  const require = createRequire(join(process.cwd(), 'packages/store/package.json'));
  const dir = join(dirname(require.resolve('bullmq')), 'scripts', 'index.js');
  const mod = (await import(dir)) as Record<string, { name?: string; content?: string }>;
  const out = new Map<string, string>();
  for (const s of Object.values(mod)) if (s?.content && s.name) out.set(sha1(s.content), `bullmq:${s.name}`);
  return out;
}

/** MONITOR quotes each argument as Redis's sdscatrepr does; the script's sha is of its raw text. */
function unrepr(s: string): string {
  const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', '"': '"', '\\': '\\' };
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === 'x' && /^[0-9a-f]{2}$/i.test(s.slice(i + 2, i + 4))) {
      bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (s[i] === '\\' && s[i + 1] !== undefined && esc[s[i + 1]!] !== undefined) {
      bytes.push(esc[s[i + 1]!]!.charCodeAt(0));
      i += 1;
    } else bytes.push(...Buffer.from(s[i]!));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A readable name for one of steward's scripts: its local functions, else its first comment line. */
function nameOfSource(src: string): string {
  const fns = [...src.matchAll(/local function ([A-Za-z_]\w*)/g)].map((m) => m[1]);
  if (fns.length > 0) return `steward:${fns.slice(-2).join('+')}`;
  const line = src
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return `steward:${(line ?? '?').slice(0, 60)}`;
}

type SlowEntry = [number, number, number, string[], ...unknown[]];

const cluster = await Cluster.start({
  workers: 2,
  llmLatency: a['llm-latency'],
  ...(a['services-from'] ? { servicesRoot: resolve(a['services-from']) } : {}),
});
try {
  const admin = new Redis(cluster.redisUrl);
  const names = await bullmqShas();
  const data = await fetchExport(cluster.shopUrl);
  const runId = Date.now().toString(36);
  const scripts = buildScripts(data, Number(a.conversations), Number(a['turns-per-conversation']), runId);
  const watcher = new CompletionWatcher(cluster.redisUrl, cluster.prefix);
  await watcher.start();

  // Warm-up under MONITOR: each of steward's scripts reaches Redis whole once (EVAL after NOSCRIPT).
  const monitor = new Redis(cluster.redisUrl);
  const mon = await monitor.monitor();
  const seen = new Map<string, number>();
  mon.on('monitor', (_time: string, argv: string[]) => {
    seen.set(String(argv[0]).toLowerCase(), (seen.get(String(argv[0]).toLowerCase()) ?? 0) + 1);
    if ((argv[0] ?? '').toLowerCase() === 'eval' && argv[1]) {
      const src = unrepr(argv[1]);
      const sha = sha1(src);
      if (!names.has(sha)) names.set(sha, nameOfSource(src));
    }
  });
  // Scripts loaded before the monitor (the lock keeper's, at start) are sent whole again too.
  await admin.script('FLUSH');
  const warm = buildScripts(data, 20, 2, `warm${runId}`).map((s) => ({ ...s, conversationId: `w_${s.conversationId}` }));
  await drive({ baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey, scripts: warm, watcher });
  mon.disconnect();
  monitor.disconnect();
  say(`warm-up: ${JSON.stringify(Object.fromEntries(seen))}`);

  // The measured window: every command into the SLOWLOG, drained every 250 ms so it never wraps.
  await admin.config('SET', 'slowlog-max-len', '200000');
  await admin.config('SET', 'slowlog-log-slower-than', '0');
  await admin.slowlog('RESET');
  const entries: SlowEntry[] = [];
  let draining = Promise.resolve();
  const drain = async (): Promise<void> => {
    // The newest first; RESET right after in one MULTI so nothing falls between the two.
    const r = (await admin.multi().slowlog('GET', -1).slowlog('RESET').exec()) ?? [];
    const got = (r[0]?.[1] ?? []) as SlowEntry[];
    // Our own drain calls are in the log too: left out.
    for (const e of got) if ((e[3][0] ?? '').toLowerCase() !== 'slowlog' && (e[3][0] ?? '').toLowerCase() !== 'multi' && (e[3][0] ?? '').toLowerCase() !== 'exec') entries.push(e);
  };
  const timer = setInterval(() => {
    draining = draining.then(drain).catch((e: unknown) => say(`drain failed: ${(e as Error).message}`));
  }, 250);
  const cpu = async (): Promise<number> => {
    const info = await admin.info('cpu');
    const v = (k: string): number => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
    return (v('used_cpu_user') + v('used_cpu_sys')) * 1000;
  };
  const cpu0 = await cpu();
  const run = await drive({ baseUrl: cluster.ingressUrl, apiKey: cluster.apiKey, scripts, watcher, answerTimeoutMs: 120_000 });
  // The last jobs' completions and the controller's sweep of them land a little after the answers.
  await new Promise((r) => setTimeout(r, 1_000));
  const cpuMs = (await cpu()) - cpu0;
  clearInterval(timer);
  await draining;
  await drain();
  await admin.config('SET', 'slowlog-log-slower-than', '10000');
  await watcher.stop();
  admin.disconnect();
  const queries = Math.max(1, run.records.filter((m) => m.answered).length);

  type ScriptTally = { calls: number; us: number; keys: string; inner: Map<string, { calls: number; us: number }> };
  const byScript = new Map<string, ScriptTally>();
  const byCommand = new Map<string, { calls: number; us: number }>();
  let totalUs = 0;
  let top = 0;
  // Redis runs one command at a time, and a script's own commands are logged (from its Lua
  // client, "?:0") before the script itself: in id order, the inner entries since the last
  // top-level one are the next script's.
  entries.sort((x, y) => x[0] - y[0]);
  let pending: SlowEntry[] = [];
  for (const e of entries) {
    const argv = e[3];
    // Their time is already in the script's: tallied apart (as lua:<command>), not summed again.
    const inScript = e[4] === '?:0';
    const cmd = `${inScript ? 'lua:' : ''}${(argv[0] ?? '').toLowerCase()}`;
    const us = e[2];
    const c = byCommand.get(cmd) ?? { calls: 0, us: 0 };
    byCommand.set(cmd, { calls: c.calls + 1, us: c.us + us });
    if (inScript) {
      pending.push(e);
      continue;
    }
    totalUs += us;
    top++;
    const inner = pending;
    pending = [];
    if (cmd !== 'evalsha' && cmd !== 'eval') continue;
    const sha = cmd === 'eval' ? sha1(argv[1] ?? '') : (argv[1] ?? '');
    const numKeys = Number(argv[2] ?? 0);
    const keys = argv
      .slice(3, 3 + Math.min(numKeys, 2))
      .map(shapeOf)
      .join(' ');
    // Named by its source, and by its first key's shape (BullMQ's: the queue).
    const name = `${names.get(sha) ?? (cmd === 'eval' ? nameOfSource(argv[1] ?? '') : `unknown:${sha.slice(0, 8)}`)} [${shapeOf(argv[3] ?? '')}]`;
    const s = byScript.get(name) ?? { calls: 0, us: 0, keys, inner: new Map() };
    s.calls++;
    s.us += us;
    for (const i of inner) {
      const k = `${(i[3][0] ?? '').toLowerCase()} ${shapeOf(i[3][1] ?? '')}`;
      const v = s.inner.get(k) ?? { calls: 0, us: 0 };
      s.inner.set(k, { calls: v.calls + 1, us: v.us + i[2] });
    }
    byScript.set(name, s);
  }
  const per = (n: number, d = 1): number => round(n / queries, d);
  const sorted = <T extends { us: number; calls: number }>(m: Map<string, T>) => [...m].sort((x, y) => y[1].us - x[1].us);
  const report = {
    bench: 'redis-scripts',
    services_from: a['services-from'] ? resolve(a['services-from']) : 'this tree',
    llm_latency: a['llm-latency'],
    queries,
    wall_s: round((run.endMs - run.startMs) / 1000, 1),
    redis_cpu_ms_per_query: round(cpuMs / queries, 3),
    logged_us_per_query: per(totalUs),
    commands_per_query: per(top),
    by_script_us_per_query: Object.fromEntries(
      sorted(byScript).map(([k, v]) => [
        k,
        {
          us: per(v.us),
          calls: per(v.calls, 2),
          us_per_call: round(v.us / v.calls, 1),
          keys: v.keys,
          // Its own commands by µs (their sum is below the script's: Lua itself runs between them).
          inner_us_per_query: Object.fromEntries(
            sorted(v.inner)
              .slice(0, 6)
              .map(([ik, iv]) => [ik, { us: per(iv.us), calls: per(iv.calls, 2) }]),
          ),
        },
      ]),
    ),
    by_command_us_per_query: Object.fromEntries(
      sorted(byCommand)
        .slice(0, 25)
        .map(([k, v]) => [k, { us: per(v.us), calls: per(v.calls, 2) }]),
    ),
    note: 'SLOWLOG µs are the commands’ execution (a script’s inner commands included), not their network I/O; INFO cpu is the whole process, the SLOWLOG’s own cost included.',
  };
  process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  say(`redis-scripts: ${queries} queries, ${entries.length} commands logged`);
} finally {
  await cluster.stop();
}
