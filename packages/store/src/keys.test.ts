import { describe, expect, it } from 'vitest';
import { QUEUES } from '@steward/core';
import { createKeys, NAMESPACES, seg } from './keys.ts';

const k = createKeys('{t}');

describe('keys', () => {
  it('gives no record kind the namespace of a BullMQ queue (BullMQ writes {prefix}:{queue}:…)', () => {
    for (const q of Object.values(QUEUES)) expect(Object.keys(NAMESPACES)).not.toContain(q);
    // The handoff record of a query is not where BullMQ keeps the job of the same id.
    expect(k.handoff('q_1').startsWith(`{t}:${QUEUES.handoff}:`)).toBe(false);
  });

  it('builds every key under a registered namespace', () => {
    const built = [
      k.events,
      k.queryEvents('q'),
      k.query('q'),
      k.conversation('c'),
      k.dedupe('p', 'ch', 'm'),
      k.dag('q', 0),
      k.sequentialLock('c'),
      k.cache('t', 's', 'h'),
      k.cacheTag('x'),
      k.toolSlots('t'),
      k.metrics,
      k.handoffs,
      k.handoff('q'),
      k.identityFailures('principal', 'web'),
    ];
    for (const key of built) expect(Object.keys(NAMESPACES)).toContain(key.split(':')[1]);
  });

  it('escapes the separator, so an id can never name another record', () => {
    // The reproduced attack: a conversation id that spells the message list of another one.
    expect(k.conversation('tg:5252:msgs')).not.toBe(k.conversationMessages('tg:5252'));
    expect(k.conversation('tg:5252:msgs').split(':')).toHaveLength(3);
    expect(seg('a%3Ab')).not.toBe(seg('a:b'));
    expect(seg('plain_id-1.2')).toBe('plain_id-1.2');
  });

  it('scopes de-duplication to (principal, channel, message id) and keeps the raw id out of the key', () => {
    expect(k.dedupe('web', 'api', 'm1')).not.toBe(k.dedupe('api', 'api', 'm1'));
    expect(k.dedupe('a', 'b', 'x:y:z'.repeat(100))).toMatch(/^\{t\}:dedupe:a:b:[0-9a-f]{32}$/);
  });
});
