// `./steward demo`: the whole system in one process with the offline model (sim-llm, a test
// double) and the demo shop. Redis: REDIS_URL if set, else a private redis-server child.
import { DEFAULTS } from '@steward/core';
import { generateApiKey } from '@steward/ingress';
import { startSystem } from '@steward/system';
import { RedisServer, redisServerBinary } from '@steward/testing';

async function main(): Promise<void> {
  let redisUrl = process.env.REDIS_URL;
  let redis: RedisServer | undefined;
  if (!redisUrl) {
    if (!redisServerBinary()) {
      process.stderr.write(
        'steward needs Redis. Either set REDIS_URL=redis://host:6379, install redis-server\n' +
          '(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), or run\n' +
          '`docker compose up -d redis` and set REDIS_URL=redis://127.0.0.1:6379.\n',
      );
      process.exit(2);
    }
    redis = await RedisServer.start({ appendonly: true });
    redisUrl = redis.url;
  }
  const apiKey = process.env.INGRESS_API_KEYS ? undefined : generateApiKey();
  // The web chat gets its own key, bound to the `web` channel.
  const webKey = process.env.WEB_CHAT_DEMO_KEY ?? generateApiKey();
  const adminToken = process.env.ADMIN_TOKEN ?? generateApiKey();
  const port = Number(process.env.PORT ?? DEFAULTS.ports.ingress);
  const sys = await startSystem({
    redisUrl,
    prefix: process.env.REDIS_PREFIX ?? DEFAULTS.redisPrefix,
    apiKeys: `${process.env.INGRESS_API_KEYS ?? apiKey!},web=${webKey}`,
    webChatDemoKey: webKey,
    // The operator credential is its own secret: an API key reads only its own queries.
    adminToken,
    ...(process.env.SHOP_DATA ? { shopData: process.env.SHOP_DATA } : {}),
    ...(process.env.SHOP_URL ? { shopUrl: process.env.SHOP_URL } : {}),
    ...(process.env.OPENAI_BASE_URL ? { llmBaseUrl: process.env.OPENAI_BASE_URL } : {}),
    ...(process.env.OPENAI_API_KEY ? { llmApiKey: process.env.OPENAI_API_KEY } : {}),
    ...(process.env.LLM_MODEL ? { llmModel: process.env.LLM_MODEL } : {}),
    ports: {
      ingress: port,
      shop: Number(process.env.SHOP_PORT ?? DEFAULTS.ports.shop),
      simLlm: Number(process.env.SIM_LLM_PORT ?? DEFAULTS.ports.simLlm),
    },
    logLevel: process.env.LOG_LEVEL ?? 'info',
    // The demo serves the web chat for the τ-bench customers when SHOP_DATA points at that data.
  });
  const key = apiKey ?? '<one of INGRESS_API_KEYS>';
  const model = process.env.OPENAI_BASE_URL ? `${process.env.LLM_MODEL ?? DEFAULTS.llmModel} at ${process.env.OPENAI_BASE_URL}` : 'sim-llm (offline test double, not AI)';
  process.stdout.write(
    [
      '',
      'steward is running.',
      `  ingress   ${sys.url}   (web chat: ${sys.url}/chat)`,
      `  shop      ${sys.shopUrl}${process.env.SHOP_DATA ? `   data: ${process.env.SHOP_DATA}` : '   data: generated demo catalog'}`,
      `  model     ${model}`,
      `  redis     ${redisUrl}${redis ? ' (private, stops with the demo)' : ''}`,
      `  API key   ${key}`,
      `  operator  ${process.env.ADMIN_TOKEN ? '<ADMIN_TOKEN>' : adminToken}   (reads every query and trace, handoffs)`,
      '',
      'Try:',
      `  curl -s -X POST ${sys.url}/v1/messages -H 'authorization: Bearer ${key}' -H 'content-type: application/json' \\`,
      `    -d '{"customerId":"james_li_5688","text":"What is the status of my order #W2611340?"}'`,
      `  curl -s ${sys.url}/v1/queries/<queryId> -H 'authorization: Bearer ${key}'`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(1);
    stopping = true;
    await sys.close();
    await redis?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  process.stderr.write(`steward demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
