// sim-llm as its own process: environment → server; SIGTERM/SIGINT → close.
import { z } from 'zod';
import { DEFAULTS, parseEnv } from '@steward/core';
import { startSimLlm } from './server.ts';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULTS.ports.simLlm),
  HOST: z.string().default('127.0.0.1'),
  SIM_LLM_LATENCY: z.string().default('0'),
  SIM_LLM_FAULTS: z.string().default(''),
  SIM_LLM_SEED: z.string().default('1'),
  // Streamed replies: ms between two chunks (the demo uses 15 so the web chat shows the answer
  // being written; 0 keeps benchmarks' latency what it was).
  SIM_LLM_CHUNK_DELAY_MS: z.coerce.number().int().min(0).default(0),
});

const env = parseEnv(Env);
const sim = await startSimLlm({ port: env.PORT, host: env.HOST, latency: env.SIM_LLM_LATENCY, faults: env.SIM_LLM_FAULTS, seed: env.SIM_LLM_SEED, chunkDelayMs: env.SIM_LLM_CHUNK_DELAY_MS });
process.stdout.write(`${JSON.stringify({ msg: 'sim-llm listening (deterministic test double, not AI)', url: sim.url })}\n`);

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  sim.close().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`sim-llm: close failed: ${String(e)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
