import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { jobIds } from '@steward/core';
import { CRASH_POINTS, createKeys, createQueues, createRedis, readQueryEvents, type CrashPointName } from '@steward/store';
import { startShop, type RunningShop } from '@steward/shop';
import { startSimLlm, type SimLlm } from '@steward/sim-llm';
import type { Redis } from 'ioredis';
import { buildScripts, fetchExport, type Script } from '../bench/conversations.ts';
import { readWriteLedger } from '../bench/shop-writes.ts';
import { IngressClient } from '../helpers/client.ts';
import { e2eData } from '../helpers/e2e-data.ts';

// For every crash point of the kernel: a conversation whose second message confirms a write
// runs through a real process (all roles) that SIGKILLs itself at that point; a fresh process
// takes over. Each message gets exactly one answer, the confirmed write happens exactly once,
// nothing is left running, queued or in the outbox, and it all ends within the deadline.
// Runs on whichever data the clone has: the τ-bench data when ../shared is there, else the
// generated catalog (test/helpers/e2e-data.ts); the conversations are picked from that data.
const url = inject('redisUrl');
const prefix = uniquePrefix('crash');
const keys = createKeys(prefix);
const KEY = 'crash-test-key';
const HOST = fileURLToPath(new URL('./host.ts', import.meta.url));
const DEADLINE_MS = 30_000;
let redis: Redis;
let shop: RunningShop;
let sim: SimLlm;
let shopDb: string;
let scripts: Script[] = [];
const children = new Set<ChildProcess>();
/** Points whose test passed: reported at the end (and asserted complete when all ran). */
const covered = new Set<CrashPointName>();
/**
 * The controller's job boundary lies on no message's path since the decision and the observation
 * are taken where their input arrives (ADR 0016, 0017), and the deadline poll's on none since the
 * deadline is no job (ADR 0027): a query stuck in the model drives each (their own tests below).
 * A step's jobs are added by its own script (ADR 0040), so no relay lies on a message's path
 * either: an entry an older release committed to the outbox drives the relay's (its test below).
 */
const OFF_PATH: readonly CrashPointName[] = ['control.before_ack', 'deadline.after_claim', 'outbox.after_enqueue'];
const ON_PATH = CRASH_POINTS.flatMap((p, i) => (OFF_PATH.includes(p) ? [] : [[p, i] as [CrashPointName, number]]));

interface Host {
  child: ChildProcess;
  api: IngressClient;
  exited: Promise<NodeJS.Signals | number | null>;
  standby: Promise<void>;
  ready: Promise<void>;
}

/** Spawn a host on stand-by (code and tokenizer loaded, no role started yet). */
async function spawnHost(crashAt?: string, extraEnv: Record<string, string> = {}): Promise<Host> {
  const port = await freePort();
  const child = spawn(process.execPath, [HOST], {
    env: {
      ...process.env,
      REDIS_URL: url,
      STEWARD_PREFIX: prefix,
      SHOP_URL: shop.url,
      LLM_BASE_URL: `${sim.url}/v1`,
      API_KEY: KEY,
      INGRESS_PORT: String(port),
      ...(crashAt ? { STEWARD_CRASH_AT: crashAt } : {}),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, sig) => resolve(sig ?? code)));
  void exited.then(() => children.delete(child));
  const seen = (word: string) =>
    new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes(word)) resolve();
      });
      void exited.then((c) => reject(new Error(`host exited before "${word}" (${String(c)})`)));
    });
  const standby = seen('standby');
  const ready = seen('ready');
  standby.catch(() => undefined);
  ready.catch(() => undefined);
  return { child, api: new IngressClient(`http://127.0.0.1:${port}`, KEY), exited, standby, ready };
}

/** Start the roles of a host on stand-by. */
async function activate(h: Host): Promise<Host> {
  await h.standby;
  h.child.kill('SIGUSR2');
  await h.ready;
  return h;
}

async function startHost(crashAt?: string): Promise<Host> {
  return activate(await spawnHost(crashAt));
}

async function stopHost(h: Host): Promise<void> {
  if (h.child.exitCode !== null || h.child.signalCode !== null) return;
  h.child.kill('SIGTERM');
  await h.exited;
}

/** Post until some host accepts it: a retry after a crash carries the same platform message id. */
/** Outbox entries (committed, not yet relayed jobs) of one query. */
async function outboxOf(queryId: string): Promise<string[]> {
  return (await redis.zrange(keys.outbox, '0', '-1')).filter((m) => m.includes(queryId));
}

async function post(api: IngressClient, s: Script, text: string, messageId: string): Promise<string | null> {
  try {
    const r = await api.post({ conversationId: s.conversationId, customerId: s.customerId, text, messageId, channel: 'api' });
    return r.status === 202 ? String(r.json.queryId) : null;
  } catch {
    return null; // the host died with the request in flight
  }
}

/** Wait until no job is waiting or running. */
async function drained(timeoutMs = 30_000): Promise<void> {
  const queues = createQueues(redis, prefix);
  try {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const counts = await Promise.all([queues.reasoning, queues.control, queues.tools].map((q) => q.getJobCounts('active', 'wait', 'prioritized')));
      if (counts.every((c) => Object.values(c).every((n) => n === 0))) return;
      if (Date.now() > until) throw new Error(`jobs left over: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await queues.close();
  }
}

/**
 * How an armed host ended within the deadline: 'SIGKILL' at its point, or 'alive' — then it is
 * killed, so that it does not stay on and take the next points' jobs.
 */
async function exitOf(h: Host): Promise<unknown> {
  const exit = await Promise.race([h.exited, new Promise((r) => setTimeout(() => r('alive'), DEADLINE_MS))]);
  if (exit === 'alive') h.child.kill('SIGKILL');
  return exit;
}

async function waitEnded(api: IngressClient, queryId: string): Promise<void> {
  await api.waitFor(queryId, DEADLINE_MS + 15_000);
}

describe('crash points (kill -9 at every boundary, another process takes over)', () => {
  beforeAll(async () => {
    redis = createRedis(url);
    shopDb = join(mkdtempSync(join(tmpdir(), 'steward-crash-')), 'shop.db');
    const data = e2eData();
    process.stderr.write(`[crash] shop data: ${data.source}\n`);
    shop = await startShop({ port: 0, mode: 'test', dataDir: data.shopData, dbPath: shopDb });
    sim = await startSimLlm({ port: 0 });
    const shopExport = await fetchExport(shop.url);
    scripts = buildScripts(shopExport, CRASH_POINTS.length * 8, 2, `crash${Date.now().toString(36)}`)
      .filter((s) => s.scenario === 'return')
      .slice(0, CRASH_POINTS.length);
    expect(scripts).toHaveLength(CRASH_POINTS.length);
    // The first message of every conversation (the agent lists the return and asks) on a host
    // that does not crash; the crash is armed for the confirming message.
    const h = await startHost();
    try {
      await Promise.all(
        scripts.map(async (s) => {
          const q = await post(h.api, s, s.messages[0]!, `${s.conversationId}:m0`);
          if (!q) throw new Error('first message refused');
          const v = await h.api.waitFor(q, DEADLINE_MS);
          if (v.outcome !== 'answered') throw new Error(`first message not answered: ${JSON.stringify(v)}`);
        }),
      );
    } finally {
      await stopHost(h);
    }
  }, 180_000);

  afterAll(async () => {
    process.stderr.write(`[crash] covered ${covered.size} of ${CRASH_POINTS.length} crash points${covered.size < CRASH_POINTS.length ? ` (not: ${CRASH_POINTS.filter((p) => !covered.has(p)).join(', ')})` : ''}\n`);
    for (const c of children) c.kill('SIGKILL');
    await shop?.close();
    await sim?.close();
    await deletePrefix(url, prefix);
    redis?.disconnect();
  });

  // The hosts of the next point are spawned while the current one runs.
  let next: { i: number; crashing: Promise<Host>; taker: Promise<Host> } | undefined;
  const hostsFor = (i: number) => ({ i, crashing: spawnHost(`${CRASH_POINTS[i]!}:1`), taker: spawnHost() });

  it.each(ON_PATH)(
    '%s',
    async (point, i) => {
      const s = scripts[i]!;
      const messageId = `${s.conversationId}:m1`;
      // (With a name filter the pre-spawned hosts may be for a skipped point.)
      const mine = next?.i === i ? next : hostsFor(i);
      const following = ON_PATH[ON_PATH.findIndex(([, k]) => k === i) + 1];
      next = following ? hostsFor(following[1]) : undefined;
      const crashing = await activate(await mine.crashing);
      const t0 = Date.now();
      let queryId = await post(crashing.api, s, s.messages[1]!, messageId);
      // The armed host must die at the point (every point lies on this message's path).
      const exit = await exitOf(crashing);
      expect(exit, `the host did not reach ${point}`).toBe('SIGKILL');
      const killedAt = Date.now();
      const taker = await activate(await mine.taker);
      try {
        // The platform retries a message whose POST got no answer: same message id.
        queryId ??= await post(taker.api, s, s.messages[1]!, messageId);
        expect(queryId).toMatch(/^q_[0-9a-f]{22}$/);
        await waitEnded(taker.api, queryId!);
        // Nothing stuck: the jobs the dead host held are taken over and finished too (a query may
        // end before a stalled job of it is re-run: the next host must not inherit that job).
        await drained();
        // Jobs relayed just before a crash stay in the outbox until a sweeper's next pass (every
        // second, entries older than a second) relays them again — a no-op for BullMQ — and
        // removes them: the taker's sweeper must clear them while it runs (bounded wait).
        for (let i = 0; i < 100 && (await outboxOf(queryId!)).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      } finally {
        await stopHost(taker);
      }
      const recoveredMs = Date.now() - killedAt;

      // Exactly one answer per message, the confirming one answered (not a fallback).
      const ids = await redis.lrange(keys.conversationQueries(s.conversationId), 0, -1);
      expect(ids).toHaveLength(2);
      for (const id of ids) {
        const completions = (await readQueryEvents(redis, keys, id)).filter((e) => e.type === 'query.completed');
        expect(completions).toHaveLength(1);
        const raw = await redis.lrange(keys.queryEvents(id), 0, -1);
        expect(raw.filter((r) => r.includes('"query.completed"'))).toHaveLength(1);
      }
      const q = await redis.hgetall(keys.query(queryId!));
      expect(q).toMatchObject({ status: 'completed', outcome: 'answered' });
      // The confirmed write happened exactly once (the shop's idempotency ledger).
      expect(readWriteLedger(shopDb).perOrder.get(s.writeOrder!)).toBe(1);
      // Nothing stuck: no running query indexed, no active query left, nothing in the outbox for it.
      expect(await redis.zscore(keys.deadlines, queryId!)).toBeNull();
      expect(await redis.hget(keys.conversation(s.conversationId), 'activeQueryId')).toBeNull();
      expect(await outboxOf(queryId!)).toEqual([]);
      // Within the deadline plus the recovery time.
      expect(Number(q.completedMs) - t0).toBeLessThan(DEADLINE_MS + recoveredMs);
      process.stderr.write(`[crash] ${point}: recovered in ${recoveredMs} ms\n`);
      covered.add(point);
    },
    120_000,
  );

  /** A model that takes the request and never answers, for `run`. */
  async function withStuckModel(run: (llmBaseUrl: string) => Promise<void>): Promise<void> {
    const stuck: Server = createServer(() => undefined);
    await new Promise<void>((r) => stuck.listen(0, '127.0.0.1', r));
    try {
      await run(`http://127.0.0.1:${(stuck.address() as { port: number }).port}/v1`);
    } finally {
      stuck.closeAllConnections();
      await new Promise((r) => stuck.close(r));
    }
  }

  /** After the taker ran: the query ended once, by its deadline, and nothing of it is left. */
  async function expectEndedAtDeadlineOnce(s: Script, queryId: string): Promise<void> {
    const completions = (await readQueryEvents(redis, keys, queryId)).filter((e) => e.type === 'query.completed');
    expect(completions).toHaveLength(1);
    expect(await redis.hgetall(keys.query(queryId))).toMatchObject({ status: 'failed', outcome: 'fallback', reason: 'deadline' });
    // The write the customer was about to confirm did not happen.
    expect(readWriteLedger(shopDb).perOrder.get(s.writeOrder!) ?? 0).toBe(0);
    expect(await redis.zscore(keys.deadlines, queryId)).toBeNull();
    expect(await redis.hget(keys.conversation(s.conversationId), 'activeQueryId')).toBeNull();
    expect(await outboxOf(queryId)).toEqual([]);
  }

  async function takeOver(queryId: string, extraEnv: Record<string, string> = {}): Promise<number> {
    const killedAt = Date.now();
    const taker = await activate(await spawnHost(undefined, extraEnv));
    try {
      await waitEnded(taker.api, queryId);
      await drained();
      for (let i = 0; i < 100 && (await outboxOf(queryId)).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await stopHost(taker);
    }
    return Date.now() - killedAt;
  }

  // A deadline job an older release queued (a rolling upgrade) still ends its query: the
  // controller commits the ending and dies before acknowledging the job. The next host finds the
  // job stalled, runs it again (it finds the query ended: nothing), and the stuck reasoning job too.
  it('control.before_ack (an older release\'s deadline job ends a query stuck in the model)', async () => {
    const point: CrashPointName = 'control.before_ack';
    const s = scripts[CRASH_POINTS.indexOf(point)]!;
    next = undefined;
    await withStuckModel(async (llm) => {
      // The query's own deadline (30 s) is far: the job, not the deadline poll, ends it.
      const crashing = await activate(await spawnHost(`${point}:1`, { LLM_BASE_URL: llm, SWEEPER_INTERVAL_MS: '600000' }));
      const queryId = await post(crashing.api, s, s.messages[1]!, `${s.conversationId}:m1`);
      expect(queryId).toMatch(/^q_[0-9a-f]{22}$/);
      const queues = createQueues(redis, prefix);
      try {
        await queues.add('control', jobIds.deadline(queryId!), { type: 'deadline', queryId: queryId! });
      } finally {
        await queues.close();
      }
      const exit = await exitOf(crashing);
      expect(exit, `the host did not reach ${point}`).toBe('SIGKILL');
      const recoveredMs = await takeOver(queryId!);
      await expectEndedAtDeadlineOnce(s, queryId!);
      process.stderr.write(`[crash] ${point}: recovered in ${recoveredMs} ms\n`);
      covered.add(point);
    });
  }, 120_000);

  // An older release's accept committed the query's first job to the outbox (a rolling upgrade;
  // this release's scripts add their jobs themselves, ADR 0040). The host's sweeper relays it (the
  // job is there already: BullMQ keeps one) and dies before removing the entry. The next host
  // takes the stalled reasoning job over, answers once, and its sweeper relays the entry again (a
  // no-op) and removes it: one answer, one write, nothing left in the outbox.
  it('outbox.after_enqueue (a sweeper killed between relaying an older release\'s entry and removing it)', async () => {
    const point: CrashPointName = 'outbox.after_enqueue';
    const s = scripts[CRASH_POINTS.indexOf(point)]!;
    next = undefined;
    await withStuckModel(async (llm) => {
      const crashing = await activate(await spawnHost(`${point}:1`, { LLM_BASE_URL: llm }));
      const queryId = await post(crashing.api, s, s.messages[1]!, `${s.conversationId}:m1`);
      expect(queryId).toMatch(/^q_[0-9a-f]{22}$/);
      const entry = JSON.stringify({ queue: 'reasoning', jobId: jobIds.reason(queryId!, 0), data: { queryId: queryId!, turn: 0 } });
      await redis.zadd(keys.outbox, Date.now(), entry);
      const exit = await exitOf(crashing);
      expect(exit, `the host did not reach ${point}`).toBe('SIGKILL');
      // Relayed, not removed: the entry is what the crash left.
      expect(await outboxOf(queryId!)).toEqual([entry]);
      const recoveredMs = await takeOver(queryId!);
      const completions = (await readQueryEvents(redis, keys, queryId!)).filter((e) => e.type === 'query.completed');
      expect(completions).toHaveLength(1);
      expect(await redis.hgetall(keys.query(queryId!))).toMatchObject({ status: 'completed', outcome: 'answered' });
      expect(readWriteLedger(shopDb).perOrder.get(s.writeOrder!)).toBe(1);
      expect(await outboxOf(queryId!)).toEqual([]);
      process.stderr.write(`[crash] ${point}: recovered in ${recoveredMs} ms\n`);
      covered.add(point);
    });
  }, 120_000);

  // A query stuck in its model call reaches its deadline: the host's deadline poll claims it and
  // dies before ending it. The claim kept the entry in the deadlines set (due again when the claim
  // runs out), so the next host ends the query once, with the deadline fallback.
  it('deadline.after_claim (a poller killed between its claim and the ending loses nothing)', async () => {
    const point: CrashPointName = 'deadline.after_claim';
    const s = scripts[CRASH_POINTS.indexOf(point)]!;
    next = undefined;
    await withStuckModel(async (llm) => {
      // The deadline poll, not the sweeper's pass over overdue queries, must reach it.
      const env = { QUERY_DEADLINE_MS: '3000', SWEEPER_INTERVAL_MS: '600000' };
      const crashing = await activate(await spawnHost(`${point}:1`, { ...env, LLM_BASE_URL: llm }));
      const queryId = await post(crashing.api, s, s.messages[1]!, `${s.conversationId}:m1`);
      expect(queryId).toMatch(/^q_[0-9a-f]{22}$/);
      const exit = await exitOf(crashing);
      expect(exit, `the host did not reach ${point}`).toBe('SIGKILL');
      // The claim moved the entry past the deadline; the query still runs: nothing was lost.
      const q = await redis.hgetall(keys.query(queryId!));
      expect(q.status).toBe('running');
      expect(Number(await redis.zscore(keys.deadlines, queryId!))).toBeGreaterThan(Number(q.deadlineAtMs));
      const recoveredMs = await takeOver(queryId!, env);
      await expectEndedAtDeadlineOnce(s, queryId!);
      process.stderr.write(`[crash] ${point}: recovered in ${recoveredMs} ms\n`);
      covered.add(point);
    });
  }, 120_000);

  it('covers every crash point of the kernel', () => {
    expect([...covered].sort()).toEqual([...CRASH_POINTS].sort());
  });
});
