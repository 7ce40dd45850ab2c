import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModel } from './scripted-model.ts';
import type { ScriptStep } from './script-plan.ts';

// Real HTTP against the double, with requests shaped as the pipeline sends them.
let model: ScriptedModel;
beforeAll(async () => {
  model = await startScriptedModel();
});
afterAll(async () => {
  await model.close();
});

const tool = (name: string) => ({
  type: 'function',
  function: {
    name,
    description: `${name}. Reason: either 'no longer needed' or 'ordered by mistake'.`,
    parameters: {},
  },
});

interface Completion {
  choices: {
    message: { content: string | null; tool_calls?: { function: { name: string; arguments: string } }[] };
  }[];
  usage: { prompt_tokens: number };
}

async function chat(slot: string, body: unknown): Promise<{ status: number; json: Completion }> {
  const res = await fetch(`${model.baseUrlFor(slot)}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Completion };
}

const steps: ScriptStep[] = [
  { kind: 'calls', calls: [{ tool: 'get_order_details', args: { order_id: '#W1234567' }, purpose: 'read' }] },
  {
    kind: 'calls',
    calls: [
      {
        tool: 'cancel_pending_order',
        args: { order_id: '#W1234567', reason: 'no longer needed' },
        purpose: 'propose',
      },
    ],
  },
  { kind: 'answer', text: 'Shall I proceed? (yes/no)', asks: true, outputs: [] },
  {
    kind: 'calls',
    calls: [
      {
        tool: 'cancel_pending_order',
        args: { order_id: '#W1234567', reason: 'no longer needed' },
        purpose: 'confirmed',
      },
    ],
  },
  { kind: 'answer', text: 'Done.', asks: false, outputs: ['42.5'] },
];

describe('scripted model (test double)', () => {
  it('replays the script over HTTP and records missing values with their cause and tools not offered', async () => {
    model.begin('a', steps);
    model.nextQuery('a');
    const q0 = [
      { role: 'system', content: 'policy' },
      { role: 'user', content: 'cancel #W1234567 please' },
    ];
    const r0 = await chat('a', { model: 'x', messages: q0, tools: [tool('get_order_details')] });
    expect(r0.status).toBe(200);
    expect(r0.json.choices[0]!.message.tool_calls![0]!.function).toEqual({
      name: 'get_order_details',
      arguments: '{"order_id":"#W1234567"}',
    });
    expect(r0.json.usage.prompt_tokens).toBeGreaterThan(5);
    // A retried request gets the same reply: the script does not advance twice.
    expect((await chat('a', { model: 'x', messages: q0, tools: [tool('get_order_details')] })).json).toEqual(
      r0.json,
    );
    const r1 = await chat('a', {
      messages: [...q0, { role: 'tool', tool_call_id: 'c', content: '{"total": 42.5}' }],
      tools: [tool('cancel_pending_order')],
    });
    expect(r1.json.choices[0]!.message.tool_calls![0]!.function.name).toBe('cancel_pending_order');
    const r2 = await chat('a', { messages: [...q0, { role: 'tool', content: 'Confirmation required' }] });
    expect(r2.json.choices[0]!.message.content).toMatch(/proceed/);
    model.nextQuery('a');
    // The new query's prompt lost the order id, and the cancel tool is not offered.
    await chat('a', { messages: [{ role: 'user', content: 'yes' }], tools: [tool('get_order_details')] });
    const last = await chat('a', { messages: [{ role: 'user', content: 'thanks' }] });
    expect(last.json.choices[0]!.message.content).toBe('Done.');
    expect(await chat('a', { messages: [{ role: 'user', content: 'more?' }] })).toMatchObject({
      status: 200,
    });
    const rec = model.finish('a');
    expect(rec.offScript).toBe(1);
    const confirmed = rec.actions.find((a) => a.purpose === 'confirmed')!;
    expect(confirmed.offered).toBe(false);
    expect(confirmed.missing).toEqual([
      { arg: 'order_id', value: '#W1234567', cause: 'earlier_query' },
      // The reason was only ever in the cancel tool's description, offered in the first query.
      { arg: 'reason', value: 'no longer needed', cause: 'never_in_prompt' },
    ]);
    const proposed = rec.actions.find((a) => a.purpose === 'propose')!;
    expect(proposed).toMatchObject({ offered: true, missing: [] });
    // 42.5 was in a tool result two queries back, not in the final answer's prompt.
    expect(rec.actions.at(-1)).toMatchObject({
      tool: 'answer',
      missing: [{ arg: 'outputs', value: '42.5', cause: 'earlier_query' }],
    });
  });

  it('refuses a slot with no task and an unknown route', async () => {
    expect((await chat('nobody', { messages: [{ role: 'user', content: 'hi' }] })).status).toBe(409);
    expect((await fetch(`${model.url}/v1/chat/completions`, { method: 'POST', body: '{}' })).status).toBe(
      404,
    );
  });
});
