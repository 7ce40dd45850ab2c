import { describe, expect, it } from 'vitest';
import { isPlainWireCompletion, WireCompletion } from './wire-completion.ts';
import { normalizeCompletion } from './normalize-completion.ts';

const toolReply = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  system_fingerprint: 'fp',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_order_details', arguments: '{"order_id":"#W1"}' } }],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 900, completion_tokens: 20, total_tokens: 920, prompt_tokens_details: { cached_tokens: 512 }, completion_tokens_details: { reasoning_tokens: 0 } },
};
const answer = { model: 'm', choices: [{ message: { role: 'assistant', content: 'Your order shipped.' }, finish_reason: 'stop' }], usage: { prompt_cache_hit_tokens: 3, prompt_cache_miss_tokens: 4 } };

/** Copies of `base` with the value at `path` replaced. */
function withAt(base: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

const paths: (string | number)[][] = [
  ['model'],
  ['choices'],
  ['choices', 0],
  ['choices', 0, 'finish_reason'],
  ['choices', 0, 'message'],
  ['choices', 0, 'message', 'role'],
  ['choices', 0, 'message', 'content'],
  ['choices', 0, 'message', 'refusal'],
  ['choices', 0, 'message', 'reasoning_content'],
  ['choices', 0, 'message', 'reasoning'],
  ['choices', 0, 'message', 'tool_calls'],
  ['choices', 0, 'message', 'tool_calls', 0],
  ['choices', 0, 'message', 'tool_calls', 0, 'id'],
  ['choices', 0, 'message', 'tool_calls', 0, 'type'],
  ['choices', 0, 'message', 'tool_calls', 0, 'index'],
  ['choices', 0, 'message', 'tool_calls', 0, 'function'],
  ['choices', 0, 'message', 'tool_calls', 0, 'function', 'name'],
  ['choices', 0, 'message', 'tool_calls', 0, 'function', 'arguments'],
  ['usage'],
  ['usage', 'prompt_tokens'],
  ['usage', 'completion_tokens'],
  ['usage', 'prompt_tokens_details'],
  ['usage', 'prompt_tokens_details', 'cached_tokens'],
  ['usage', 'completion_tokens_details'],
  ['usage', 'completion_tokens_details', 'reasoning_tokens'],
  ['usage', 'prompt_cache_hit_tokens'],
  ['usage', 'error'],
  ['error'],
];
const values: unknown[] = [undefined, null, 'x', '', 7, 0, Number.NaN, Number.POSITIVE_INFINITY, true, [], [1], {}, { a: 1 }, { name: 'f', arguments: '{}' }];

describe('isPlainWireCompletion', () => {
  it('takes the replies servers send, so they skip the schema', () => {
    expect(isPlainWireCompletion(toolReply)).toBe(true);
    expect(isPlainWireCompletion(answer)).toBe(true);
  });

  it('never takes a body the schema refuses, and normalises what it takes as the schema path does', () => {
    let taken = 0;
    for (const path of paths) {
      for (const value of values) {
        const body = withAt(toolReply, path, value);
        const schema = WireCompletion.safeParse(body);
        if (!isPlainWireCompletion(body)) continue;
        taken++;
        expect(schema.success, `${path.join('.')} = ${String(value)}`).toBe(true);
        // The same result (or the same error) as normalising the schema's copy.
        const run = (b: unknown) => {
          try {
            return normalizeCompletion(b);
          } catch (e) {
            return { error: (e as Error).message };
          }
        };
        expect(run(body)).toEqual(run(schema.data));
      }
    }
    expect(taken).toBeGreaterThan(50);
  });

  it('leaves object arguments, non-finite numbers and wrong types to the schema', () => {
    expect(isPlainWireCompletion(withAt(toolReply, ['choices', 0, 'message', 'tool_calls', 0, 'function', 'arguments'], { order_id: '#W1' }))).toBe(false);
    expect(isPlainWireCompletion(withAt(toolReply, ['usage', 'prompt_tokens'], Number.NaN))).toBe(false);
    expect(isPlainWireCompletion(withAt(toolReply, ['choices', 0, 'message', 'content'], 5))).toBe(false);
    expect(isPlainWireCompletion([])).toBe(false);
    // The schema still decides them: object arguments are a quirk, a number as content a bad response.
    expect(normalizeCompletion(withAt(toolReply, ['choices', 0, 'message', 'tool_calls', 0, 'function', 'arguments'], { order_id: '#W1' })).quirks).toContain('object_arguments');
    expect(() => normalizeCompletion(withAt(toolReply, ['choices', 0, 'message', 'content'], 5))).toThrow(/not a chat completion/);
  });
});
