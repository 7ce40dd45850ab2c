// sim-llm as its own process: the configuration parsed once by loadConfig → server;
// SIGTERM/SIGINT → close. startSystem starts the embedded sim-llm from the same `simLlm` section.
import { loadConfig } from '@steward/core';
import { startSimLlm } from './server.ts';

const cfg = loadConfig(process.env, 'sim-llm');
const sim = await startSimLlm(cfg.simLlm);
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
