// The queue and event contracts, tested on their own: valid payloads parse, invalid ones are
// refused naming the bad field, and the payloads an older version wrote still parse — that is
// how the rule "new payload fields are optional" is enforced: a new required field fails here.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStewardError } from './errors.ts';
import { LlmCallEventData, QueryCompletedEventData, StewardEvent, ToolCallEventData } from './events.ts';
import { jobIds } from './ids.ts';
import { JOB_SCHEMAS, QUEUES, parseJob, type QueueName } from './queues.ts';

interface Fixture {
  version: string;
  jobs: Record<QueueName, Record<string, unknown>[]>;
  events: Record<string, unknown>[];
}

const FIXTURE_DIR = join(import.meta.dirname, 'fixtures');
const fixtures: Fixture[] = readdirSync(FIXTURE_DIR)
  .filter((f) => f.startsWith('payloads-') && f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(FIXTURE_DIR, f), 'utf8')) as Fixture);
const queues = Object.values(QUEUES);
const EVENT_DATA = { 'llm.call': LlmCallEventData, 'tool.call': ToolCallEventData, 'query.completed': QueryCompletedEventData } as const;

describe('job payloads of earlier versions still parse (rolling deploys)', () => {
  it('has fixtures for every queue', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    for (const f of fixtures) for (const q of queues) expect(f.jobs[q]?.length ?? 0, `${f.version} ${q}`).toBeGreaterThan(0);
  });

  for (const f of fixtures) {
    for (const q of queues) {
      it(`${f.version}: every ${q} job parses with today's schema`, () => {
        for (const job of f.jobs[q]) {
          const r = JOB_SCHEMAS[q].safeParse(job);
          // A failure here usually means a new field was made required: make it optional.
          expect(r.success ? 'ok' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')).toBe('ok');
        }
      });
    }
    it(`${f.version}: every event parses, and its data parses with the type's data schema`, () => {
      for (const e of f.events) {
        const ev = StewardEvent.parse(e);
        const schema = EVENT_DATA[ev.type as keyof typeof EVENT_DATA] as (typeof EVENT_DATA)[keyof typeof EVENT_DATA] | undefined;
        if (schema) expect(schema.safeParse(ev.data).success, `${ev.type} data`).toBe(true);
      }
    });
  }
});

describe('invalid payloads are refused with the field named', () => {
  const current = fixtures[0]!;
  for (const q of queues) {
    it(`${q}: dropping any required field is an unrecoverable InvalidPayloadError naming it`, () => {
      const sample = current.jobs[q][0]!;
      const required = Object.keys(sample).filter((k) => {
        const { [k]: _dropped, ...rest } = sample;
        return !JOB_SCHEMAS[q].safeParse(rest).success;
      });
      expect(required.length).toBeGreaterThan(0);
      for (const k of required) {
        const { [k]: _dropped, ...rest } = sample;
        let err: unknown;
        try {
          parseJob(q, rest);
        } catch (e) {
          err = e;
        }
        expect(isStewardError(err), `${q} without ${k}`).toBe(true);
        expect((err as { retryable?: boolean }).retryable).toBe(false);
        expect((err as Error).message).toContain(k);
      }
    });
    it(`${q}: a payload of the wrong shape is refused`, () => {
      expect(() => parseJob(q, null)).toThrow();
      expect(() => parseJob(q, 'a string')).toThrow();
      expect(() => parseJob(q, { ...current.jobs[q][0], queryId: 42 })).toThrow(/queryId/);
    });
  }

  it('a control job with an unknown type or proposal kind is refused', () => {
    expect(() => parseJob('control', { type: 'reboot', queryId: 'q_1' })).toThrow(/type/);
    expect(() => parseJob('control', { type: 'decide', queryId: 'q_1', turn: 0, proposal: { kind: 'dance' } })).toThrow(/proposal/);
  });
  it('turns and indexes are non-negative integers', () => {
    expect(() => parseJob('reasoning', { queryId: 'q_1', turn: -1 })).toThrow(/turn/);
    expect(() => parseJob('reasoning', { queryId: 'q_1', turn: 1.5 })).toThrow(/turn/);
    expect(() => parseJob('tools', { ...current.jobs.tools[0], index: -2 })).toThrow(/index/);
  });
  it('an event of an unknown type, or without an id, is refused', () => {
    const e = current.events[0]!;
    expect(StewardEvent.safeParse({ ...e, type: 'query.exploded' }).success).toBe(false);
    const { id: _id, ...noId } = e;
    expect(StewardEvent.safeParse(noId).success).toBe(false);
  });
  it('event data schemas refuse missing numbers', () => {
    const tool = current.events.find((e) => e.type === 'tool.call')!.data as Record<string, unknown>;
    const { endMs: _e, ...noEnd } = tool;
    expect(ToolCallEventData.safeParse(noEnd).success).toBe(false);
    expect(LlmCallEventData.safeParse({ turn: 0 }).success).toBe(false);
    expect(QueryCompletedEventData.safeParse({ outcome: 'answered' }).success).toBe(false);
  });
});

describe('deterministic job ids', () => {
  it('are the same for the same step, three colon-separated parts (BullMQ custom id rule)', () => {
    const q = 'q_0193a1b2c3d4e5f60718293a4b';
    const all = [jobIds.reason(q, 2), jobIds.decide(q, 2), jobIds.toolCall(q, 2, 1), jobIds.observe(q, 2), jobIds.deadline(q), jobIds.delivery(q), jobIds.handoff(q)];
    expect(all).toEqual([`${q}:t2:reason`, `${q}:t2:decide`, `${q}:t2:c1`, `${q}:t2:observe`, `${q}:q:deadline`, `${q}:q:deliver`, `${q}:q:handoff`]);
    for (const id of all) expect(id.split(':')).toHaveLength(3);
    expect(new Set(all).size).toBe(all.length);
  });
});
