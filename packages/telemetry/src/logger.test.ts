import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, withBindings } from './logger.ts';

function sink(): { stream: Writable; lines: () => Array<Record<string, unknown>>; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(c: Buffer, _enc, cb) {
      chunks.push(c.toString('utf8'));
      cb();
    },
  });
  const raw = (): string => chunks.join('');
  return {
    stream,
    raw,
    lines: () =>
      raw()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const EMAIL = 'ava.lopez1@example.org';
const CARD = '4111111111111111';

describe('createLogger', () => {
  it('writes JSON lines with the service, level label and child bindings', () => {
    const s = sink();
    const log = createLogger({ service: 'tracer', level: 'debug', destination: s.stream });
    withBindings(log, { queryId: 'q_1', jobId: 'q_1:t0:reason', traceId: 'abc', spanId: 'def', turn: undefined }).debug('step');
    const [line] = s.lines();
    expect(line).toMatchObject({ service: 'tracer', level: 'debug', queryId: 'q_1', jobId: 'q_1:t0:reason', traceId: 'abc', spanId: 'def', msg: 'step' });
    expect(line).not.toHaveProperty('turn');
    expect(typeof line!.time).toBe('string');
  });

  it('redacts personal data in messages, interpolations, objects, errors and bindings by default', () => {
    const s = sink();
    const log = createLogger({ service: 'ingress', destination: s.stream });
    const child = withBindings(log, { queryId: 'q_2', email: EMAIL });
    child.info({ body: { text: `I am ${EMAIL}, card ${CARD}`, customer: { phone: '+1 415 555 0134', address1: '1 Elm Street' } } }, 'message from %s', EMAIL);
    child.error({ err: new Error(`payment failed for card ${CARD}`) }, `card ${CARD} declined`);
    child.child({ customerEmail: EMAIL }).warn('grandchild');
    const raw = s.raw();
    expect(raw).not.toContain(EMAIL);
    expect(raw).not.toContain(CARD);
    expect(raw).not.toContain('1 Elm Street');
    const lines = s.lines();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ msg: 'message from [email]', email: '[REDACTED]', body: { text: 'I am [email], card [card]', customer: { phone: '[REDACTED]', address1: '[REDACTED]' } } });
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'card [card] declined', err: { type: 'Error', message: 'payment failed for card [card]' } });
    expect(lines[2]).toMatchObject({ customerEmail: '[REDACTED]', queryId: 'q_2' });
  });

  it('leaves text as is only when redaction is explicitly off', () => {
    const s = sink();
    createLogger({ service: 'dev', redact: false, destination: s.stream }).info({ email: EMAIL }, 'raw');
    expect(s.lines()[0]).toMatchObject({ email: EMAIL });
  });

  it('respects the level', () => {
    const s = sink();
    const log = createLogger({ service: 'x', level: 'warn', destination: s.stream });
    log.info('hidden');
    log.warn('shown');
    expect(s.lines().map((l) => l.msg)).toEqual(['shown']);
  });
});
