// The resilience suite (`pnpm test:chaos`): each scenario under load on one cluster of
// separate processes. Whatever breaks, every accepted query is answered exactly once and no
// write reaches the shop twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../bench/cluster.ts';
import { ChaosRunner, startChaosCluster, type ChaosLoad, type ChaosResult } from './scenarios.ts';

// ~240 queries per scenario by default; CHAOS_CONVERSATIONS raises it.
const load: ChaosLoad = { conversations: Number(process.env.CHAOS_CONVERSATIONS ?? 80), turns: 3 };
let cluster: Cluster;
let runner: ChaosRunner;

const report = (r: ChaosResult): void => void process.stderr.write(`${JSON.stringify(r)}\n`);

function expectExactlyOnce(r: ChaosResult): void {
  expect(r.accepted).toBeGreaterThan(0);
  expect(r.lost).toBe(0);
  expect(r.answered).toBe(r.accepted);
  expect(r.duplicate_answers).toBe(0);
  expect(r.duplicate_writes).toBe(0);
  // The write conversations did write: the exactly-once check is not vacuous.
  expect(r.writes_applied).toBeGreaterThan(0);
}

describe('resilience under load', () => {
  beforeAll(async () => {
    // Tests run the sources (scripts/chaos.ts runs the compiled build, as deployed).
    cluster = await startChaosCluster(undefined, 'source');
    runner = new ChaosRunner(cluster);
  }, 300_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('kill -9 of reasoning, tool and controller processes: every query answered once, writes once, jobs resumed', async () => {
    const r = await runner.run('kill-workers', load);
    report(r);
    expectExactlyOnce(r);
    expect((r.details?.kills as unknown[]).length).toBeGreaterThan(0);
  }, 300_000);

  it('Redis SHUTDOWN and restart with AOF mid-load: services reconnect, every accepted query is answered', async () => {
    const r = await runner.run('redis-restart', load);
    report(r);
    expectExactlyOnce(r);
    expect(r.details?.outage_ms).toBeGreaterThan(0);
  }, 300_000);

  it('a model endpoint with 429, 500, timeouts and malformed tool calls: answer or fallback in time, no loop', async () => {
    const r = await runner.run('llm-faults', load);
    report(r);
    expectExactlyOnce(r);
    expect(r.loop_incidents).toBe(0);
    expect(r.past_deadline).toBe(0);
  }, 300_000);

  it('a shop answering 503 and slowly: reads retried, writes exactly once', async () => {
    const r = await runner.run('shop-faults', load);
    report(r);
    expectExactlyOnce(r);
    expect(r.past_deadline).toBe(0);
  }, 300_000);
});
