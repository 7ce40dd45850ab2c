import { describe, expect, it } from 'vitest';
import { RecoveryHeadroom } from './recovery-headroom.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The part of a BullMQ worker the headroom drives; counts the wake-ups (pause + resume). */
function worker(concurrency: number) {
  const w = { concurrency, closing: undefined, wakes: 0, isRunning: () => true, pause: async () => undefined, resume: async () => void w.wakes++ };
  return w;
}

describe('recovery headroom', () => {
  it('opens as many extra slots as jobs moved back, up to the cap, and closes after the window', async () => {
    const w = worker(50);
    const h = new RecoveryHeadroom(w, 50, { extraSlotsRatio: 1, windowMs: 150 });
    h.open(20);
    expect(w.concurrency).toBe(70);
    h.open(45);
    expect(w.concurrency).toBe(100);
    await sleep(100);
    expect(w.wakes).toBe(2);
    // A later move keeps the window open from its own time.
    h.open(1);
    await sleep(100);
    expect(w.concurrency).toBe(100);
    await sleep(120);
    expect(w.concurrency).toBe(50);
  });

  it('does nothing with a ratio of 0 or no jobs', async () => {
    const w = worker(8);
    new RecoveryHeadroom(w, 8, { extraSlotsRatio: 0, windowMs: 100 }).open(5);
    const h = new RecoveryHeadroom(w, 8, { extraSlotsRatio: 0.5, windowMs: 100 });
    h.open(0);
    expect(w.concurrency).toBe(8);
    await sleep(0);
    expect(w.wakes).toBe(0);
    h.open(9);
    expect(w.concurrency).toBe(12);
    h.close();
    expect(w.concurrency).toBe(8);
  });
});
