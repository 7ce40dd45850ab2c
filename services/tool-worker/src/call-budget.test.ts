import { describe, expect, it } from 'vitest';
import { CallBudget } from './call-budget.ts';

describe('CallBudget', () => {
  it('lets calls run in place only while jobs and extra calls stay under the limit, and makes the worker take fewer jobs meanwhile', () => {
    const worker = { concurrency: 3 };
    const b = new CallBudget(3);
    b.attach(worker);
    b.jobStarted();
    b.jobStarted();
    expect(b.take()).toBe(true);
    expect(worker.concurrency).toBe(2);
    // 2 jobs + 1 extra call = the limit: the next dependent is enqueued instead.
    expect(b.take()).toBe(false);
    b.jobEnded();
    expect(b.take()).toBe(true);
    expect(worker.concurrency).toBe(1);
    b.give();
    b.give();
    expect(worker.concurrency).toBe(3);
  });
});

describe('CallBudget.reserve', () => {
  it('reserves slots for the calls a starting job runs beside its own, counting that job, and gives them back', () => {
    const worker = { concurrency: 4 };
    const b = new CallBudget(4);
    b.attach(worker);
    b.jobStarted();
    // 1 job running + the starting one: 2 slots are left of 4.
    expect(b.reserve(5)).toBe(2);
    expect(worker.concurrency).toBe(2);
    expect(b.reserve(1)).toBe(0);
    b.give();
    expect(worker.concurrency).toBe(3);
    expect(b.reserve(0)).toBe(0);
    b.give();
    expect(worker.concurrency).toBe(4);
  });
});
