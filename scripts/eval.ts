// `./steward eval`: runs τ-bench-format task files through the whole running pipeline and
// reports, per task and in total, whether the shop ended in the reference state, what a model
// with nothing but its prompt would have lacked, writes without confirmation, outputs told,
// prompt tokens and cost. Per-task JSON lines on stdout, the JSON summary as the LAST line,
// a progress bar on stderr.
//
//   ./steward eval --model scripted --tasks ../shared/taubench/tasks_train.json [--limit 50]
//        [--prompt-mode budgeted|naive] [--concurrency 4] [--only 0,5,17]
//   OPENAI_BASE_URL=… OPENAI_API_KEY=… LLM_MODEL=… ./steward eval --model env --tasks … --trials 4
//
// `--model scripted` is a TEST DOUBLE (it replays the gold actions), for CI and for measuring
// the context the pipeline gives a model; `--model env` is the configured real model, with the
// customer simulated by EVAL_CUSTOMER_MODEL (default LLM_MODEL) at EVAL_CUSTOMER_BASE_URL
// (default OPENAI_BASE_URL). The shop loads the data beside the task file unless --data is given.
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { progressBar } from '@steward/commerce';
import { loadTasks, runEval } from '@steward/eval';
import { RedisServer } from '@steward/testing';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '../shared/taubench/tasks_train.json' },
    data: { type: 'string' },
    limit: { type: 'string' },
    only: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    trials: { type: 'string', default: '1' },
    'prompt-mode': { type: 'string', default: 'budgeted' },
    model: { type: 'string', default: 'scripted' },
  },
});

const fail = (msg: string): never => {
  process.stderr.write(`steward eval: ${msg}\n`);
  process.exit(2);
};
const mode =
  values['prompt-mode'] === 'naive'
    ? 'naive'
    : values['prompt-mode'] === 'budgeted'
      ? 'budgeted'
      : fail('--prompt-mode is budgeted or naive');
const model =
  values.model === 'env'
    ? 'env'
    : values.model === 'scripted'
      ? 'scripted'
      : fail('--model is scripted or env');
const tasksPath = resolve(values.tasks);
const tasks = loadTasks(tasksPath, {
  ...(values.limit ? { limit: Number(values.limit) } : {}),
  ...(values.only ? { only: values.only.split(',').map(Number) } : {}),
});

let env:
  | {
      agent: { baseUrl: string; apiKey: string; model: string };
      customer: { baseUrl: string; apiKey: string; model: string };
    }
  | undefined;
if (model === 'env') {
  const baseUrl = process.env.OPENAI_BASE_URL ?? fail('--model env needs OPENAI_BASE_URL');
  const agentModel = process.env.LLM_MODEL ?? fail('--model env needs LLM_MODEL');
  const apiKey = process.env.OPENAI_API_KEY ?? '';
  env = {
    agent: { baseUrl, apiKey, model: agentModel },
    customer: {
      baseUrl: process.env.EVAL_CUSTOMER_BASE_URL ?? baseUrl,
      apiKey: process.env.EVAL_CUSTOMER_API_KEY ?? apiKey,
      model: process.env.EVAL_CUSTOMER_MODEL ?? agentModel,
    },
  };
}

// A private Redis unless one is given: the evaluation never shares keys with a deployment.
const own = process.env.EVAL_REDIS_URL ? null : await RedisServer.start();
const bar = progressBar(`[eval ${model} ${mode}]`, tasks.length * Number(values.trials));
let matched = 0;
try {
  const { reports, summary } = await runEval({
    tasks,
    dataDir: resolve(values.data ?? dirname(tasksPath)),
    model,
    ...(env ? { env } : {}),
    promptMode: mode,
    concurrency: Number(values.concurrency),
    trials: Number(values.trials),
    redisUrl: process.env.EVAL_REDIS_URL ?? own!.url,
    onTaskDone(r, done) {
      if (r.endStateMatch) matched++;
      bar.update(done, `${done} done, ${matched} match`);
    },
  });
  bar.done();
  for (const r of reports) process.stdout.write(`${JSON.stringify({ task: r })}\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await own?.stop();
}
