import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { StewardEvent } from '@steward/core';
import { createKeys, createRedis, emitEvent, type EmitInput, type Keys } from '@steward/store';
import { RedisServer, deletePrefix, startOtlpReceiver, uniquePrefix, type ReceivedSpan } from '@steward/testing';
import { createLogger, readMetricsSnapshot, sampleQuery, type ReadableSpan } from '@steward/telemetry';
import { createSpanExporter, createTelemetryResource, traceExportConfigFromEnv, type SpanExporter } from '@steward/telemetry/otlp';

import { METRICS_GROUP, seenKey, TRACER_GROUP } from './process-batch.ts';
import { startTracer, type Tracer } from './tracer.ts';

const url = inject('redisUrl');
const silent = createLogger({ service: 'tracer-test', level: process.env.TRACER_TEST_LOG === '1' ? 'debug' : 'silent' });
const resource = createTelemetryResource({ serviceName: 'steward-tracer-test', resourceAttributes: {} });
let redis: Redis;
const prefixes: string[] = [];
const cleanups: Array<() => Promise<void>> = [];

beforeAll(() => {
  redis = createRedis(url);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  for (const p of prefixes) await deletePrefix(url, p);
  redis.disconnect();
});

function freshKeys(label: string): Keys {
  const p = uniquePrefix(label);
  prefixes.push(p);
  return createKeys(p);
}

async function receiverAndExporter(protocol: 'http/json' | 'http/protobuf' = 'http/protobuf') {
  const receiver = await startOtlpReceiver();
  const exporter = createSpanExporter(
    traceExportConfigFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }),
  );
  cleanups.push(async () => {
    await exporter.shutdown();
    await receiver.close();
  });
  return { receiver, exporter };
}

async function start(keys: Keys, exporter: SpanExporter, extra: Partial<Parameters<typeof startTracer>[0]> = {}): Promise<Tracer> {
  const t = await startTracer({
    redisUrl: url,
    prefix: keys.prefix,
    exporter,
    resource,
    logger: silent,
    batchSize: 4,
    blockMs: 200,
    ...extra,
  });
  cleanups.push(() => t.close());
  return t;
}

async function emitAll(keys: Keys, events: readonly StewardEvent[]): Promise<void> {
  // Sample events are written as they were read (their data is checked at run time).
  for (const e of events) await emitEvent(redis, keys, e as EmitInput);
}

const spansOf = (spans: ReceivedSpan[], traceId: string): ReceivedSpan[] => spans.filter((s) => s.traceId === traceId);

async function pendingCount(keys: Keys, group = TRACER_GROUP): Promise<number> {
  const summary = (await redis.call('XPENDING', keys.events, group)) as [number, ...unknown[]];
  return Number(summary[0]);
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('tracer service', () => {
  it('gives each root span of a batch the accepted event and decisions of its own query', async () => {
    const keys = freshKeys('tracer-roots');
    const { receiver, exporter } = await receiverAndExporter();
    const a = sampleQuery({ queryId: 'q_roots_a' });
    const b = sampleQuery({ queryId: 'q_roots_b', t0: 1_760_000_100_000 });
    // b came in on another channel and had no decision: its list differs from a's.
    b.events[0]!.data.channel = 'slack';
    const bEvents = b.events.filter((e) => e.type !== 'control.decision');
    // Both queries complete in the one batch the tracer reads at start.
    await emitAll(keys, [...a.events, ...bEvents]);
    await start(keys, exporter);
    const spans = await receiver.waitForSpans((s) => s.filter((x) => x.name === 'invoke_agent steward' && (x.traceId === a.traceId || x.traceId === b.traceId)).length >= 2, 20_000);
    const rootOf = (traceId: string) => spans.find((s) => s.traceId === traceId && s.name === 'invoke_agent steward')!;
    expect(rootOf(a.traceId).attributes).toMatchObject({ 'steward.channel': 'web' });
    expect(rootOf(a.traceId).events.map((e) => e.attributes['steward.decision.kind'])).toEqual(['loop_warning']);
    expect(rootOf(b.traceId).attributes).toMatchObject({ 'steward.channel': 'slack' });
    expect(rootOf(b.traceId).events.map((e) => e.attributes['steward.decision.kind'])).toEqual([]);
  });

  it('turns stream events into spans at the collector, records metrics and acks everything', async () => {
    const keys = freshKeys('tracer-e2e');
    const { receiver, exporter } = await receiverAndExporter();
    const q = sampleQuery();
    // Events written before the tracer ever ran are traced too (group created at 0).
    await emitAll(keys, q.events.slice(0, 3));
    await redis.xadd(keys.events, '*', 'e', '{not json');
    const tracer = await start(keys, exporter);
    await emitAll(keys, q.events.slice(3));

    const spans = await receiver.waitForSpans((s) => spansOf(s, q.traceId).length >= 5, 20_000);
    const mine = spansOf(spans, q.traceId);
    expect(mine.map((s) => s.name).sort()).toEqual([
      'chat sim-llm-1',
      'chat sim-llm-1',
      'execute_tool find_user_id_by_email',
      'execute_tool get_order_details',
      'invoke_agent steward',
    ]);
    expect(new Set(mine.map((s) => s.encoding))).toEqual(new Set(['protobuf']));
    const root = mine.find((s) => s.name === 'invoke_agent steward')!;
    expect(root).toMatchObject({ spanId: q.rootSpanId, parentSpanId: q.parentSpanId });
    expect(root.attributes).toMatchObject({ 'steward.channel': 'web', 'steward.outcome': 'answered' });
    // The decision came from the per-query list the emitter writes beside the stream.
    expect(root.events.map((e) => e.attributes['steward.decision.kind'])).toEqual(['loop_warning']);
    for (const s of mine.filter((x) => x !== root)) expect(s.parentSpanId).toBe(q.rootSpanId);

    await until('all entries acked', async () => (await pendingCount(keys)) === 0 && tracer.stats().acked === q.events.length + 1);
    await until('metrics counted', () => tracer.stats().countedEvents === q.events.length);
    const snap = await readMetricsSnapshot(redis, keys.prefix);
    expect(snap.counters.find((c) => c.name === 'steward_queries_total')).toMatchObject({ labels: { outcome: 'answered' }, value: 1 });
    expect(JSON.stringify(spans)).not.toContain('noah.brown7921@example.com');
  });

  it('loses no span and duplicates none when a tracer dies mid-stream and another takes over', async () => {
    const keys = freshKeys('tracer-crash');
    const { receiver, exporter } = await receiverAndExporter('http/json');
    const queries = [sampleQuery(), sampleQuery(), sampleQuery()];
    await emitAll(keys, [...queries[0]!.events, ...queries[1]!.events]);

    // Tracer A exports its first batch, then hangs inside the second export — as a process
    // does when it is killed while waiting for the collector — and is killed there.
    let hung!: () => void;
    const hangs = new Promise<void>((r) => (hung = r));
    let calls = 0;
    const gate: SpanExporter = {
      export(spans: ReadableSpan[], cb) {
        if (calls++ === 0) exporter.export(spans, cb);
        else hung();
      },
      shutdown: async () => {},
    };
    const a = await startTracer({ redisUrl: url, prefix: keys.prefix, exporter: gate, resource, logger: silent, batchSize: 4, blockMs: 200, consumerName: 'tracer-a' });
    await hangs;
    a.kill();
    expect(await pendingCount(keys)).toBeGreaterThan(0);

    // More events arrive while no tracer runs; then B starts under another name.
    await emitAll(keys, queries[2]!.events);
    const b = await start(keys, exporter, { consumerName: 'tracer-b', claimIdleMs: 300 });

    const expected = queries.length * 5;
    await receiver.waitForSpans((s) => s.length >= expected, 30_000);
    await until('every entry acked', async () => (await pendingCount(keys)) === 0);
    await until('every entry counted in metrics', async () => (await pendingCount(keys, METRICS_GROUP)) === 0);
    await b.close();

    const spans = receiver.spans();
    expect(spans).toHaveLength(expected);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(expected);
    for (const q of queries) {
      expect(spansOf(spans, q.traceId).map((s) => s.name)).toContain('invoke_agent steward');
      expect(spansOf(spans, q.traceId)).toHaveLength(5);
    }
    const snap = await readMetricsSnapshot(redis, keys.prefix);
    expect(snap.counters.find((c) => c.name === 'steward_queries_total' && c.labels.outcome === 'answered')?.value).toBe(3);
  });

  it('keeps events pending while the collector fails and delivers them once it recovers', async () => {
    const keys = freshKeys('tracer-retry');
    const { receiver, exporter } = await receiverAndExporter();
    receiver.setResponseStatus(500);
    const tracer = await start(keys, exporter);
    const q = sampleQuery();
    await emitAll(keys, q.events);

    await until('failed export attempts', () => receiver.requestCount() >= 2 && tracer.stats().failedBatches >= 2);
    expect(receiver.spans()).toHaveLength(0);
    expect(await pendingCount(keys)).toBeGreaterThan(0);
    // Metrics do not wait for the collector.
    const inputTokens = async () =>
      (await readMetricsSnapshot(redis, keys.prefix)).counters.find((c) => c.name === 'steward_llm_tokens_total' && c.labels.type === 'input')?.value;
    await until('metrics while the collector is down', async () => (await inputTokens()) === 1836);

    receiver.setResponseStatus(200);
    await receiver.waitForSpans((s) => s.length >= 5, 30_000);
    await until('every entry acked', async () => (await pendingCount(keys)) === 0);
    await tracer.close();
    expect(receiver.spans()).toHaveLength(5);
    expect(await inputTokens()).toBe(1836);
  });

  it('drops only what the collector rejects as bad data (HTTP 400) and keeps going', async () => {
    const keys = freshKeys('tracer-reject');
    const { receiver, exporter } = await receiverAndExporter();
    receiver.setResponseStatus(400);
    const tracer = await start(keys, exporter);
    const [bad, good] = [sampleQuery(), sampleQuery()];
    await emitAll(keys, bad.events);
    await until('rejected batch acked', async () => (await pendingCount(keys)) === 0 && tracer.stats().acked === bad.events.length);
    expect(tracer.stats().droppedSpans).toBe(5);
    receiver.setResponseStatus(200);
    await emitAll(keys, good.events);
    await receiver.waitForSpans((s) => s.length >= 5, 20_000);
    await until('every entry acked', async () => (await pendingCount(keys)) === 0);
    await tracer.close();
    expect(new Set(receiver.spans().map((s) => s.traceId))).toEqual(new Set([good.traceId]));
  });

  it('acks an event already exported (seen) without exporting it again', async () => {
    const keys = freshKeys('tracer-seen');
    const { receiver, exporter } = await receiverAndExporter();
    const q = sampleQuery();
    const llm = q.events[2]!;
    await redis.set(seenKey(keys.prefix, llm.id), '1', 'EX', 60);
    await emitAll(keys, q.events);
    const tracer = await start(keys, exporter);
    await receiver.waitForSpans((s) => s.length >= 4, 20_000);
    await until('every entry acked', async () => (await pendingCount(keys)) === 0);
    await tracer.close();
    expect(receiver.spans().map((s) => s.attributes['steward.turn'] ?? 'root').sort()).toEqual([0, 0, 1, 'root']);
    expect(tracer.stats().skippedSeen).toBe(1);
  });

  for (const appendonly of [true, false]) {
    it(`reconnects by itself when Redis restarts (${appendonly ? 'with AOF' : 'data lost'})`, async () => {
      const srv = await RedisServer.start({ appendonly });
      const own = createRedis(srv.url);
      own.on('error', () => undefined); // refused connections while Redis restarts are expected
      cleanups.push(async () => {
        own.disconnect();
        await srv.stop();
      });
      const keys = createKeys(uniquePrefix('tracer-restart'));
      const { receiver, exporter } = await receiverAndExporter();
      const tracer = await startTracer({ redisUrl: srv.url, prefix: keys.prefix, exporter, resource, logger: silent, blockMs: 200 });
      cleanups.push(() => tracer.close());
      const [q1, q2] = [sampleQuery(), sampleQuery()];
      for (const e of q1.events) await emitEvent(own, keys, e as EmitInput);
      await receiver.waitForSpans((s) => spansOf(s, q1.traceId).length === 5, 20_000);

      await srv.restart();
      // Both connections reconnect on their own; the tracer recreates its group if Redis lost it.
      for (const e of q2.events) await emitEvent(own, keys, e as EmitInput);
      await receiver.waitForSpans((s) => spansOf(s, q2.traceId).length === 5, 30_000);
      expect(receiver.spans()).toHaveLength(10);
    });
  }

  it('stops promptly and cleanly on close while blocked on an empty stream', async () => {
    const keys = freshKeys('tracer-close');
    const { exporter } = await receiverAndExporter();
    const tracer = await start(keys, exporter, { blockMs: 60_000 });
    // Give it time to reach the blocking read (60 s): close must cut it short, not wait it out.
    await new Promise((r) => setTimeout(r, 300));
    await tracer.close();
    expect(tracer.stats().failedBatches).toBe(0);
  });
});
