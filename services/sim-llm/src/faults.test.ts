import { afterEach, describe, expect, it } from 'vitest';
import OpenAI, { APIConnectionTimeoutError, APIError } from 'openai';
import { drawDelay, drawFault, seededRandom } from './faults.ts';
import { parseFaults, parseLatency } from './options.ts';
import { startSimLlm, type SimLlm } from './server.ts';
import { TOOLS } from './test-shop.ts';

const ask = (client: OpenAI) =>
  client.chat.completions.create({ model: 'sim-llm-1', tools: TOOLS, messages: [{ role: 'user', content: 'Do you have a kettle?' }] });

let sim: SimLlm | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('fault and latency specs', () => {
  it('parses latency with and without jitter', () => {
    expect(parseLatency('0')).toEqual({ baseMs: 0, jitterMs: 0 });
    expect(parseLatency('300')).toEqual({ baseMs: 300, jitterMs: 0 });
    expect(parseLatency('300±100ms')).toEqual({ baseMs: 300, jitterMs: 100 });
    expect(parseLatency('300+-100')).toEqual({ baseMs: 300, jitterMs: 100 });
    expect(() => parseLatency('fast')).toThrow(/SIM_LLM_LATENCY/);
  });

  it('parses fault fractions and refuses unknown kinds or a total above 1', () => {
    expect(parseFaults('429:0.3,500:0.05,timeout:0.02,malformed:0.05')).toEqual({ '429': 0.3, '500': 0.05, timeout: 0.02, malformed: 0.05 });
    expect(() => parseFaults('503:0.1')).toThrow(/SIM_LLM_FAULTS/);
    expect(() => parseFaults('429:0.8,500:0.5')).toThrow(/at most 1/);
  });

  it('the same seed gives the same sequence of faults and delays', () => {
    const run = (seed: string) => {
      const r = seededRandom(seed);
      return Array.from({ length: 50 }, () => `${drawFault({ '429': 0.3, '500': 0.1 }, r())}:${drawDelay({ baseMs: 300, jitterMs: 100 }, r())}`);
    };
    expect(run('a')).toEqual(run('a'));
    expect(run('a')).not.toEqual(run('b'));
    for (const x of run('a')) {
      const d = Number(x.split(':')[1]);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });
});

describe('injected faults over HTTP', () => {
  it('a 429 carries Retry-After in seconds and retry-after-ms', async () => {
    sim = await startSimLlm({ port: 0, faults: '429:1', retryAfterMs: 2000 });
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'test', maxRetries: 0 });
    const err = await ask(client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    const e = err as APIError;
    expect(e.status).toBe(429);
    expect(e.headers?.get('retry-after')).toBe('2');
    expect(e.headers?.get('retry-after-ms')).toBe('2000');
    expect(sim.stats().faults['429']).toBe(1);
  });

  it('a 500 hits a seeded fraction of calls; the others answer normally', async () => {
    sim = await startSimLlm({ port: 0, faults: '500:0.5', seed: 7 });
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'test', maxRetries: 0 });
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++) outcomes.push(await ask(client).then(() => 'ok', (e: unknown) => String((e as APIError).status)));
    const failed = outcomes.filter((o) => o === '500').length;
    expect(failed).toBe(sim.stats().faults['500']);
    expect(failed).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o === 'ok').length).toBe(12 - failed);
  });

  it('a timeout fault never answers: the client times out, and close() frees the socket', async () => {
    sim = await startSimLlm({ port: 0, faults: 'timeout:1' });
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'test', maxRetries: 0, timeout: 300 });
    await expect(ask(client)).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    expect(sim.stats().faults.timeout).toBe(1);
  });

  it('a malformed fault returns tool calls whose arguments are not JSON', async () => {
    sim = await startSimLlm({ port: 0, faults: 'malformed:1' });
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'test', maxRetries: 0 });
    const c = await ask(client);
    const tc = c.choices[0]!.message.tool_calls![0]!;
    expect(() => JSON.parse(tc.type === 'function' ? tc.function.arguments : '')).toThrow();
  });
});
