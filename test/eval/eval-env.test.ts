import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadTasks, runEval } from '@steward/eval';
import { startSimLlm, type SimLlm } from '@steward/sim-llm';
import { HAS_TAUBENCH, TAUBENCH_DIR } from '../helpers/shared-data.ts';

// `--model env` wiring: the agent and the simulated customer are whatever OpenAI-compatible
// endpoints are configured. Here both are sim-llm (the offline test double), so this checks the
// plumbing — the customer model's messages reach the pipeline, the run ends, the report says what
// it measured — not any model's quality.
const redisUrl = inject('redisUrl');
let sim: SimLlm;

describe.skipIf(!HAS_TAUBENCH)('steward eval --model env', () => {
  beforeAll(async () => {
    sim = await startSimLlm({ port: 0 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('runs a task as a conversation between two configured models and measures its calls through the proxy', async () => {
    const ep = { baseUrl: `${sim.url}/v1`, apiKey: 'none', model: 'sim-llm-1' };
    const { reports, summary } = await runEval({
      tasks: loadTasks(`${TAUBENCH_DIR}/tasks_train.json`, { limit: 1 }),
      dataDir: TAUBENCH_DIR,
      model: 'env',
      env: { agent: ep, customer: ep },
      maxCustomerTurns: 2,
      redisUrl,
    });
    const r = reports[0]!;
    expect(r.error).toBeUndefined();
    expect(r.queries).toBeGreaterThanOrEqual(1);
    expect(r.queries).toBeLessThanOrEqual(2);
    expect(r.promptTokensPerCall.length).toBeGreaterThan(0);
    // The recording proxy measured the real model's calls: sim-llm's first call identifies the
    // customer, so the run made at least one tool call, each one checked against its prompt.
    expect(r.contextMissing).not.toBeNull();
    expect(summary.contextMissing).not.toBeNull();
    expect(summary.toolNotOffered).not.toBeNull();
    expect(summary.model).toBe('env: sim-llm-1 (customer simulated by sim-llm-1)');
    expect(sim.stats().calls).toBeGreaterThan(r.promptTokensPerCall.length);
  }, 300_000);
});
