import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { StewardEvent } from '@steward/core';
import { buildDebugTrace } from './debug-trace.ts';
import {
  cleanNames,
  namesInEvents,
  namesInToolCall,
  redactKnownNames,
  rememberNames,
  runWithKnownNames,
} from './known-names.ts';
import { createLogger } from './logger.ts';
import { redactPii } from './redact-pii.ts';

const userDetails = JSON.stringify({
  name: { first_name: 'Yusuf', last_name: 'Rossi' },
  email: 'yusuf.rossi7301@example.com',
});

describe('names the system knows', () => {
  it('come from get_user_details results and the name/zip lookup arguments, whole and word by word', () => {
    expect(namesInToolCall('get_user_details', { user_id: 'yusuf_rossi_9620' }, userDetails)).toEqual([
      'Yusuf Rossi',
      'Yusuf',
      'Rossi',
    ]);
    expect(
      namesInToolCall(
        'find_user_id_by_name_zip',
        { first_name: 'Mei', last_name: 'Lin', zip: '78701' },
        'mei_lin_1',
      ),
    ).toEqual(['Mei Lin', 'Mei', 'Lin']);
    // Another tool's result that happens to hold a "name" (a product) is not a person.
    expect(
      namesInToolCall(
        'get_product_details',
        { product_id: '6086499569' },
        '{"name":{"first_name":"T-Shirt"}}',
      ),
    ).toEqual([]);
    expect(cleanNames(['', 'J', 42, '#W123', 'Anne-Marie'])).toEqual(['Anne-Marie']);
  });

  it('are redacted without a cue word, in any case, as whole words only; ids keep their letters', () => {
    const names = ['Yusuf Rossi'];
    expect(redactKnownNames("hi it's yusuf rossi, user yusuf_rossi_9620, order #W2611340", names)).toBe(
      "hi it's [name], user yusuf_rossi_9620, order #W2611340",
    );
    expect(redactKnownNames('Yusufa and Rossini are other words', names)).toBe(
      'Yusufa and Rossini are other words',
    );
    // A name that is an everyday word goes alone only capitalised; the whole name in any case.
    expect(redactKnownNames('I will call Will about the brown shoes; will brown here', ['Will Brown'])).toBe(
      'I will call [name] about the brown shoes; [name] here',
    );
    expect(redactKnownNames('订单是王小明下的', ['王小明'])).toBe('订单是[name]下的');
  });

  it('redactPii takes them, and defaults to those learned in the current job for its log lines', () => {
    expect(redactPii('Got it Yusuf, #W2611340 is cancelled', { names: ['Yusuf Rossi'] })).toBe(
      'Got it [name], #W2611340 is cancelled',
    );
    const chunks: string[] = [];
    const stream = new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c.toString('utf8'));
        cb();
      },
    });
    const log = createLogger({ service: 't', destination: stream });
    runWithKnownNames([], () => {
      log.info('before: yusuf here');
      rememberNames(namesInToolCall('get_user_details', {}, userDetails));
      log.info({ text: 'yusuf here' }, 'after: %s', 'rossi speaking');
    });
    log.info('outside: Yusuf');
    const lines = chunks
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.msg)).toEqual([
      'before: yusuf here',
      'after: [name] speaking',
      'outside: Yusuf',
    ]);
    expect(lines[1]!.text).toBe('[name] here');
  });

  it('the debug trace redacts them in every step of the query, including before the lookup', () => {
    const base = { queryId: 'q_1', conversationId: 'c_1' };
    const events = [
      {
        ...base,
        id: '1',
        type: 'control.decision',
        ts: 1,
        data: { turn: 0, kind: 'note', detail: 'the customer says yusuf here; look them up' },
      },
      {
        ...base,
        id: '2',
        type: 'tool.call',
        ts: 3,
        data: {
          turn: 1,
          index: 0,
          callId: 'c',
          spanId: 'ab',
          name: 'get_user_details',
          arguments: { user_id: 'yusuf_rossi_9620' },
          result: userDetails,
          ok: true,
          startMs: 3,
          endMs: 4,
          cacheHit: false,
        },
      },
    ] as unknown as StewardEvent[];
    expect(namesInEvents(events)).toEqual(['Yusuf Rossi', 'Yusuf', 'Rossi']);
    const trace = buildDebugTrace(events);
    expect(JSON.stringify(trace)).not.toMatch(/yusuf(?!_rossi_9620)/i);
    expect(trace.steps.find((st) => st.kind === 'decision')?.observation).toBe(
      'the customer says [name] here; look them up',
    );
    expect(trace.steps.find((st) => st.kind === 'tool')?.arguments).toEqual({ user_id: 'yusuf_rossi_9620' });
  });
});
