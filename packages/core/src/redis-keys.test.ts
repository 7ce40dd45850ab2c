import { describe, expect, it } from 'vitest';
import { QUEUES } from './queues.ts';
import { channelKeys, createKeys, NAMESPACES, seg, unseg } from './redis-keys.ts';
import { seededRandom } from './seeded-random.ts';

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
      k.activeWorkers('reasoning'),
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

  it('round-trips seg', () => {
    for (const id of ['a:b', '%3A', 'x%y:z', 'plain']) expect(unseg(seg(id))).toBe(id);
  });

  // Every builder of every package (store, channels, llm, telemetry, tracer), called with ids an
  // attacker could choose (separators, escapes, another builder's suffixes): each key lies in a
  // registered namespace, and no key is produced by two different builders — so no two kinds of
  // record can ever share a key, whatever the ids.
  it('builds every key of every package in a registered namespace, and no two builders ever produce the same key', () => {
    const prefix = '{t}';
    const all = { ...createKeys(prefix), ...prefixed(channelKeys(prefix)) };
    const r = seededRandom(13);
    const pool = ['q', 'c', 'a:b', 'msgs', 'x:msgs', 'a%3Ab', 'a%b', 'tg.1.2', 'live', 'seen', 'sig', ':', '%', 'hist', 'q:steps', '1'];
    const id = (): string => Array.from({ length: 1 + Math.floor(r() * 3) }, () => pool[Math.floor(r() * pool.length)]!).join('');
    const owner = new Map<string, string>();
    const namespaces = new Set(Object.keys(NAMESPACES));
    let built = 0;
    for (let round = 0; round < 300; round++) {
      for (const [name, b] of Object.entries(all)) {
        if (name === 'prefix' || name === 'scanPattern' || name === 'conversationIdOf') continue;
        const key = typeof b === 'string' ? b : call(name, b as (...a: unknown[]) => string, id, all);
        expect(key.startsWith(`${prefix}:`), `${name}: ${key}`).toBe(true);
        expect(namespaces.has(key.slice(prefix.length + 1).split(':')[0]!), `${name}: ${key}`).toBe(true);
        const first = owner.get(key);
        if (first !== undefined) expect(first, `${key} built by ${first} and ${name}`).toBe(name);
        owner.set(key, name);
        built++;
      }
    }
    expect(built).toBeGreaterThan(10_000);
  });

  it('reads a conversation id back from its key only (not from its lists)', () => {
    expect(k.conversationIdOf(k.conversation('a:b'))).toBe('a:b');
    expect(k.conversationIdOf(k.conversationMessages('a'))).toBeUndefined();
    expect(k.conversationIdOf(k.query('a'))).toBeUndefined();
    expect(k.scanPattern('conv')).toBe('{t}:conv:*');
  });
});

function prefixed<T extends object>(o: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([name, v]) => [`ch.${name}`, v]));
}

function call(name: string, b: (...a: unknown[]) => string, id: () => string, all: Record<string, unknown>): string {
  switch (name) {
    case 'dag':
      return b(id(), 3);
    case 'identityFailures':
      return b('conversation', id());
    case 'ch.bucket':
      return b('customer', id());
    case 'cacheFlight':
      return b((all.cache as (...a: string[]) => string)(id(), id(), id()));
    default:
      return b(...Array.from({ length: b.length }, id));
  }
}
