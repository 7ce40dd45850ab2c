// `./steward demo`: the whole system in one process with the offline model (sim-llm, a test
// double) and the demo shop. Redis: REDIS_URL if set, else a private redis-server child.
import { ConfigError, loadConfig } from '@steward/core';
import { generateApiKey } from '@steward/ingress';
import { startSystem } from '@steward/system';
import { RedisServer, redisServerBinary } from '@steward/testing';

async function main(): Promise<void> {
  // The one configuration, as every role's main.ts parses it: an invalid value stops here,
  // naming the variable.
  const config = loadConfig(process.env, 'system');
  let redisUrl = config.env.REDIS_URL;
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
  const apiKey = config.ingress.apiKeys ? undefined : generateApiKey();
  // The web chat gets its own key, bound to the `web` channel.
  const webKey = config.env.WEB_CHAT_DEMO_KEY ?? generateApiKey();
  // The operator credential is its own secret: an API key reads only its own queries.
  const adminToken = config.ingress.adminToken ?? generateApiKey();
  const sys = await startSystem({
    config,
    redisUrl,
    stream: config.reasoning.stream,
    apiKeys: `${config.ingress.apiKeys ?? apiKey!},web=${webKey}`,
    webChatDemoKey: webKey,
    adminToken,
    // Answers stream into the web chat unless LLM_STREAM=false; sim-llm writes them a piece every 15 ms.
    ...(config.env.SIM_LLM_CHUNK_DELAY_MS ? {} : { simLlm: { chunkDelayMs: 15 } }),
    // The demo serves the web chat for the τ-bench customers when SHOP_DATA points at that data.
  });
  const key = apiKey ?? '<one of INGRESS_API_KEYS>';
  const model = config.embedded.llm ? 'sim-llm (offline test double, not AI)' : `${config.llm.model} at ${config.llm.baseURL}`;
  process.stdout.write(
    [
      '',
      'steward is running.',
      `  ingress   ${sys.url}   (web chat: ${sys.url}/chat)`,
      `  shop      ${sys.shopUrl}${config.shop.dataDir ? `   data: ${config.shop.dataDir}` : '   data: generated demo catalog'}`,
      `  model     ${model}`,
      `  redis     ${redisUrl}${redis ? ' (private, stops with the demo)' : ''}`,
      // startSystem runs the archiver and the operator API over it when DATABASE_URL is set (see RUNBOOK).
      `  archive   ${config.archive.databaseUrl ? `PostgreSQL (schema ${config.archive.schema})` : 'off (set DATABASE_URL to keep conversations in PostgreSQL)'}`,
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
  // A bad setting is the operator's to fix: its message names the variable, a stack adds nothing.
  if (e instanceof ConfigError) process.stderr.write(`steward demo: ${e.message}\n`);
  else process.stderr.write(`steward demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
