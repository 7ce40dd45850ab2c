import { DEFAULTS, errorMessage } from '@steward/core';
import { HandoffStore } from '@steward/store';
import type { StepDeps } from '@steward/steps';
import { DEADLINE_POLL_DEFAULTS, endDueQueries } from './deadline-poll.ts';

export interface SweeperOptions {
  /** How often one sweeper of the fleet runs. */
  intervalMs: number;
  /** Outbox entries older than this were left by a writer that died before relaying them. */
  outboxGraceMs: number;
  /** Past its deadline by this much, a running query is ended here too (the deadline poll missed it). */
  deadlineGraceMs: number;
  /** A handoff nobody claimed for this long raises `handoff.sla_breached` and tells the customer once. */
  handoffSlaMs: number;
  /** Resolved and returned handoff records are deleted this long after they closed. */
  handoffRetentionMs: number;
}

export const SWEEPER_DEFAULTS: SweeperOptions = {
  ...DEFAULTS.sweeper,
  handoffSlaMs: DEFAULTS.handoffSlaMs,
  handoffRetentionMs: DEFAULTS.handoffRetentionMs,
};

/**
 * The safety net under the applier: relays outbox entries whose writer crashed between commit
 * and relay, and ends every query past its deadline by the grace (the deadline poll ends them
 * at their deadline: this pass only finds one the polls missed, e.g. a poll loop that stopped;
 * it claims them the same way, so the two never end one query twice). Ending a query starts the
 * conversation's next queued one in the same script. Every controller runs one; a short lease
 * lets one of them work per interval.
 */
export async function sweepOnce(d: StepDeps, o: SweeperOptions, now = Date.now()): Promise<{ relayed: number; ended: number; handoffsBreached: number }> {
  const lease = await d.redis.set(d.keys.sweeperLease, String(process.pid), 'PX', Math.max(100, o.intervalMs - 50), 'NX');
  if (lease !== 'OK') return { relayed: 0, ended: 0, handoffsBreached: 0 };
  const relayed = await d.outbox.relayStale(o.outboxGraceMs, now);
  const { ended } = await endDueQueries(d, DEADLINE_POLL_DEFAULTS, now - o.deadlineGraceMs, now);
  const h = await new HandoffStore(d.redis, d.keys).sweep({ slaMs: o.handoffSlaMs, retentionMs: o.handoffRetentionMs }, now);
  await d.outbox.relay(h.jobs);
  return { relayed, ended, handoffsBreached: h.breached.length };
}

export function startSweeper(d: StepDeps, o: SweeperOptions = SWEEPER_DEFAULTS): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepOnce(d, o).catch((e: unknown) => d.log.warn({ err: errorMessage(e) }, 'sweep failed (retried next interval)'));
  }, o.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
