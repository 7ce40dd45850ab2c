import { describe, expect, it } from 'vitest';
import { RecoveryHeadroom } from './recovery-headroom.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recovery headroom', () => {
  it('opens as many extra slots as jobs moved back, up to the cap, and closes after the window', async () => {
    const worker = { concurrency: 50 };
    const h = new RecoveryHeadroom(worker, 50, { extraSlotsRatio: 1, windowMs: 150 });
    h.open(20);
    expect(worker.concurrency).toBe(70);
    h.open(45);
    expect(worker.concurrency).toBe(100);
    await sleep(100);
    // A later move keeps the window open from its own time.
    h.open(1);
    await sleep(100);
    expect(worker.concurrency).toBe(100);
    await sleep(120);
    expect(worker.concurrency).toBe(50);
  });

  it('does nothing with a ratio of 0 or no jobs', () => {
    const worker = { concurrency: 8 };
    new RecoveryHeadroom(worker, 8, { extraSlotsRatio: 0, windowMs: 100 }).open(5);
    const h = new RecoveryHeadroom(worker, 8, { extraSlotsRatio: 0.5, windowMs: 100 });
    h.open(0);
    expect(worker.concurrency).toBe(8);
    h.open(9);
    expect(worker.concurrency).toBe(12);
    h.close();
    expect(worker.concurrency).toBe(8);
  });
});
