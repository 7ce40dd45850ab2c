// One process with every pipeline role (ingress, reasoning-worker, controller, tool-worker)
// against an existing shop and model double, so the crash test can SIGKILL all of them at once
// at a named crash point (STEWARD_CRASH_AT) and let a fresh host take over. A host loads its
// code and tokenizer first and waits on stand-by ("standby" on stdout) until SIGUSR2 starts it
// ("ready <url>"): the test spawns the next hosts while the current one runs, so a take-over
// costs the roles' start, not Node's.
import { warmUpTokenizer } from '@steward/context';
import { startSystem } from '@steward/system';

const env = process.env;
warmUpTokenizer();
// The timer keeps the process alive while it waits (a pending promise alone does not).
const idle = setInterval(() => undefined, 60_000);
const go = new Promise((resolve) => process.once('SIGUSR2', resolve));
process.stdout.write('standby\n');
await go;
clearInterval(idle);
const sys = await startSystem({
  redisUrl: env.REDIS_URL!,
  prefix: env.STEWARD_PREFIX!,
  shopUrl: env.SHOP_URL!,
  llmBaseUrl: env.LLM_BASE_URL!,
  apiKeys: env.API_KEY!,
  ports: { ingress: Number(env.INGRESS_PORT) },
  tracer: false,
  deliveries: false,
  // The test drives one conversation per crash point from one key in seconds: no token buckets.
  admit: false,
  logLevel: 'warn',
});
process.stdout.write(`ready ${sys.url}\n`);
process.once('SIGTERM', () => {
  sys.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
