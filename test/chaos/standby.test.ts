// ACTIVE_REPLICAS=1 under kill -9 (`pnpm test:chaos`): of each worker role's two processes only
// the slot holder takes jobs; killing it (the scenario picks holders, never an idle standby) must
// lose nothing and duplicate nothing, and the standby must take the killed holder's jobs over.
// The kills are the reasoning-worker's (its jobs are in flight ~a model call long, so a kill finds
// some; a tool call is often over before it): each kill moves the slot to the other process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../bench/cluster.ts';
import { ChaosRunner, startChaosCluster } from './scenarios.ts';

let cluster: Cluster;
let runner: ChaosRunner;

interface Kill {
  kind: string;
  live_twin: boolean;
  victim_jobs_at_kill: number;
  jobs: number;
  unrecovered: number;
}

describe('a standby twin (ACTIVE_REPLICAS=1)', () => {
  beforeAll(async () => {
    cluster = await startChaosCluster({ ACTIVE_REPLICAS: '1' }, 'source');
    runner = new ChaosRunner(cluster);
  }, 300_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('kill -9 of the slot holders: every query answered once, writes once, the holders’ jobs taken over', async () => {
    const r = await runner.run('kill-workers', { conversations: Number(process.env.CHAOS_CONVERSATIONS ?? 60), turns: 3, kill: { roleDown: null, lastLive: false, roles: ['reasoning-worker'], count: 3 } });
    process.stderr.write(`${JSON.stringify(r)}\n`);
    expect(r.accepted).toBeGreaterThan(0);
    expect(r.lost).toBe(0);
    expect(r.answered).toBe(r.accepted);
    expect(r.duplicate_answers).toBe(0);
    expect(r.duplicate_writes).toBe(0);
    const kills = (r.details?.kills ?? []) as Kill[];
    // Victims are holders with a live standby left, and at least one held jobs when it died.
    expect(kills.length).toBeGreaterThan(0);
    for (const k of kills) expect(k.live_twin).toBe(true);
    expect(kills.some((k) => k.victim_jobs_at_kill > 0)).toBe(true);
    for (const k of kills) expect(k.unrecovered).toBe(0);
    const taken = (r.details?.taken_over_by ?? {}) as Record<string, number>;
    expect(taken.twin ?? 0).toBeGreaterThan(0);
  }, 300_000);
});
