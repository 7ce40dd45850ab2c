import { loadConfig, type Proposal, type StewardConfig } from '@steward/core';
import { channelPluginsFromEnv, channelsConfigFromEnv, deliveryRole, deliveryStats, renderDeliveryMetrics, startAdmission } from '@steward/channels';
import { commerceTools, createShopClient } from '@steward/commerce';
import { startController, type ControllerLimits } from '@steward/controller';
import { archiveRoutes, operatorCredentials, startIngress, type IngressOptions, type RunningIngress } from '@steward/ingress';
import { createLlmClient, loadPricing, parseJsonReply, parseTextReply, setActivePricing } from '@steward/llm';
import { startReasoningWorker, type LlmPort } from '@steward/reasoning-worker';
import { startShop } from '@steward/shop';
import { startSimLlm } from '@steward/sim-llm';
import { createLogger, type Logger } from '@steward/telemetry';
import { createSpanExporter, createTelemetryResource, traceExportConfigFromEnv } from '@steward/telemetry/otlp';
import { startToolWorker } from '@steward/tool-worker';
import { ToolRegistry } from '@steward/tools';
import { debugTraceOf, renderMetrics } from './observability.ts';

export interface SystemOptions {
  /**
   * The one configuration (loadConfig in @steward/core): every role below takes its section, as
   * its own main.ts does. Default: loadConfig(process.env, 'system'). The options that follow
   * override single settings on top of it (tests and benchmarks).
   */
  config?: StewardConfig;
  redisUrl?: string;
  prefix?: string;
  /** τ-bench layout directory for the shop; absent = the generated demo catalog. */
  shopData?: string;
  /** Existing shop / model endpoints; absent = start the embedded shop / sim-llm. */
  shopUrl?: string;
  llmBaseUrl?: string;
  llmApiKey?: string;
  llmModel?: string;
  ports?: { ingress?: number; shop?: number; simLlm?: number };
  apiKeys: string;
  adminToken?: string;
  limits?: Partial<ControllerLimits>;
  promptMode?: 'budgeted' | 'naive';
  toolStyle?: 'native' | 'text' | 'json';
  /** Stream LLM calls and push the answer's tokens to SSE / the web chat (default: LLM_STREAM when it is set, else off). */
  stream?: boolean;
  simLlm?: { latency?: string; faults?: string; seed?: string; chunkDelayMs?: number };
  /** Run the tracer (OTLP export from the OTEL_* settings, metrics). Default true. */
  tracer?: boolean;
  concurrency?: { reasoning?: number; control?: number; tools?: number };
  requireConfirmation?: boolean;
  logLevel?: string;
  logger?: Logger;
  /**
   * Ingress plugins. Default: hardened input, the platform webhooks and the web chat, configured
   * from the configuration's environment (channelPluginsFromEnv). Given, they replace that default.
   */
  ingressPlugins?: IngressOptions['plugins'];
  /** Demo key handed to the web chat (must be one of apiKeys). */
  webChatDemoKey?: string;
  /** Start the deliveries worker (channel answers). Default true. */
  deliveries?: boolean;
  /**
   * Backpressure for every message intake. Default: the same admission as the ingress process
   * (per-principal, per-customer and per-channel token buckets, reasoning backlog; the RATE_* /
   * MAX_REASONING_BACKLOG settings). `false` turns it off (benchmarks that measure the pipeline itself).
   */
  admit?: IngressOptions['admit'] | false;
  /**
   * The PostgreSQL archive: on when the configuration has DATABASE_URL (the archiver role, and
   * the operator routes over it, as the ingress process mounts them).
   * `false` keeps it off whatever the configuration says.
   */
  archive?: boolean;
  /** Extra roles started with the system (e.g. the deliveries worker); each returns its closer. */
  extraRoles?: ((ctx: { redisUrl: string; prefix: string; log: Logger }) => Promise<() => Promise<void>>)[];
}

export interface RunningSystem {
  ingress: RunningIngress;
  url: string;
  shopUrl: string;
  llmUrl: string;
  registry: ToolRegistry;
  log: Logger;
  close(): Promise<void>;
}

/**
 * Every service of steward in one process, each with its own connections, as in production.
 * Each role starts from the same section of the one configuration that its own main.ts uses.
 */
export async function startSystem(o: SystemOptions): Promise<RunningSystem> {
  const cfg = o.config ?? loadConfig(process.env, 'system');
  const redisUrl = o.redisUrl ?? cfg.redis.url;
  const prefix = o.prefix ?? cfg.redis.prefix;
  const log = o.logger ?? createLogger({ service: 'steward', level: (o.logLevel ?? cfg.log.level) as 'info', redact: cfg.log.redact });
  const closers: (() => Promise<void>)[] = [];
  try {
    const registry = new ToolRegistry(commerceTools);
    let shopUrl = o.shopUrl ?? (cfg.embedded.shop ? undefined : cfg.shopClient.url);
    if (!shopUrl) {
      const shop = await startShop({
        ...cfg.shop,
        port: o.ports?.shop ?? cfg.shop.port,
        // The all-in-one system is the demo (generated or τ-bench mock data): demo mode unless set.
        mode: cfg.env.SHOP_MODE ? cfg.shop.mode : 'demo',
        logger: log.child({ service: 'shop' }),
        ...(o.shopData ? { dataDir: o.shopData } : {}),
      });
      closers.push(() => shop.close());
      shopUrl = shop.url;
    }
    let llmBase = o.llmBaseUrl ?? (cfg.embedded.llm ? undefined : cfg.llm.baseURL);
    if (!llmBase) {
      const sim = await startSimLlm({ ...cfg.simLlm, port: o.ports?.simLlm ?? cfg.simLlm.port, ...o.simLlm });
      closers.push(() => sim.close());
      llmBase = `${sim.url}/v1`;
    }
    // LLM_PRICING / LLM_PRICING_FILE of the given configuration, as the reasoning-worker loads them.
    if (o.config) setActivePricing(loadPricing(cfg.env));
    const llm: LlmPort = createLlmClient({
      ...cfg.llm,
      baseURL: llmBase,
      ...(o.llmApiKey ? { apiKey: o.llmApiKey } : {}),
      ...(o.llmModel ? { model: o.llmModel } : {}),
      maxRateLimitRetries: 0,
      // One socket per reasoning slot, as the reasoning-worker's main.
      maxSockets: cfg.reasoning.concurrency,
    });
    const toolStyle = o.toolStyle ?? cfg.reasoning.toolStyle;
    const parseText = (content: string): Proposal => (toolStyle === 'json' ? parseJsonReply(content) : parseTextReply(content));
    const shop = createShopClient(shopUrl, cfg.shopClient.token ? { token: cfg.shopClient.token } : {});
    const common = { redisUrl, prefix, registry };
    const promptMode = o.promptMode ?? cfg.reasoning.promptMode;
    // The rules of a query's step, for every role that takes one (the controller; the
    // reasoning-worker decides each turn where the proposal arrives; the tool-worker observes a
    // turn where its last result lands): the controller's section, with this call's overrides.
    const stepRules = {
      limits: { ...cfg.controller.limits, ...o.limits },
      requireConfirmation: o.requireConfirmation ?? cfg.controller.requireConfirmation,
      budgets: cfg.controller.budgets,
      keepTranscript: promptMode === 'naive',
    };

    const tools = await startToolWorker({
      ...common,
      shop,
      log: log.child({ service: 'tool-worker' }),
      ...cfg.tools,
      ...(o.concurrency?.tools ? { concurrency: o.concurrency.tools } : {}),
      steps: stepRules,
    });
    closers.push(() => tools.close());
    const controller = await startController({
      ...common,
      log: log.child({ service: 'controller' }),
      ...cfg.controller,
      ...(o.concurrency?.control ? { concurrency: o.concurrency.control } : {}),
      limits: { ...cfg.controller.limits, ...o.limits },
      ...(o.requireConfirmation === undefined ? {} : { requireConfirmation: o.requireConfirmation }),
      keepTranscript: promptMode === 'naive',
    });
    closers.push(() => controller.close());
    const reasoning = await startReasoningWorker({
      ...common,
      llm,
      parseText,
      log: log.child({ service: 'reasoning-worker' }),
      ...cfg.reasoning,
      ...(o.concurrency?.reasoning ? { concurrency: o.concurrency.reasoning } : {}),
      promptMode,
      ...(o.toolStyle ? { toolStyle: o.toolStyle } : {}),
      // Streaming needs a model endpoint that streams: as a library (tests with their own model
      // doubles) the system streams only when asked or when LLM_STREAM is set; the demo and the
      // reasoning-worker process follow LLM_STREAM (default true).
      stream: o.stream ?? (cfg.env.LLM_STREAM !== undefined ? cfg.reasoning.stream : false),
      steps: stepRules,
    });
    closers.push(() => reasoning.close());
    const env = o.config?.env ?? process.env;
    if (o.tracer !== false) {
      const { startTracer } = await import('@steward/tracer');
      const exportConfig = traceExportConfigFromEnv(env);
      const exporter = createSpanExporter(exportConfig);
      const { port: _metricsPort, metricsToken: _token, adminToken: _admin, ...tracerOptions } = cfg.tracer;
      const tracer = await startTracer({
        redisUrl,
        prefix,
        logger: log.child({ service: 'tracer' }),
        exporter,
        resource: createTelemetryResource(exportConfig),
        ...tracerOptions,
      });
      closers.push(async () => {
        await tracer.close();
        await exporter.shutdown().catch(() => undefined);
      });
    }
    let admit = o.admit === false ? undefined : o.admit;
    if (o.admit === undefined) {
      const admission = await startAdmission({ redisUrl, prefix, ...cfg.admission });
      closers.push(() => admission.close());
      admit = admission.admit;
    }
    const { jaegerUrl, apiKeys: _configuredKeys, ...ingressOptions } = cfg.ingress;
    const debugTrace = (events: Parameters<typeof debugTraceOf>[0], ctx?: { names?: readonly string[] }) =>
      debugTraceOf(events, { redact: cfg.log.redact, jaegerUrl, names: ctx?.names });
    // The archive, as the archiver and ingress processes run it: the archiver role on the same
    // section of the configuration, and the operator API over the same database.
    const archiveOn = o.archive !== false && cfg.archive.databaseUrl !== undefined;
    let archiveDb: import('@steward/archive').Db | undefined;
    const archiveRoles: NonNullable<SystemOptions['extraRoles']> = [];
    if (archiveOn) {
      const [{ createDb }, { archiverRole }] = await Promise.all([import('@steward/archive'), import('@steward/archiver')]);
      const db = createDb(cfg.archive.databaseUrl!, cfg.archive.schema);
      closers.push(() => db.end());
      archiveDb = db;
      const role = archiverRole(cfg.archive);
      if (role) archiveRoles.push(role);
    }
    const adminToken = o.adminToken ?? cfg.ingress.adminToken;
    const defaultPlugins = (): NonNullable<IngressOptions['plugins']> => [
      ...channelPluginsFromEnv({ ...env, ...(o.webChatDemoKey ? { WEB_CHAT_DEMO_KEY: o.webChatDemoKey } : {}) }),
      // Operator credentials only (the admin token or an `operator=` key), as the ingress process mounts them.
      archiveRoutes({ db: archiveDb, operator: operatorCredentials({ apiKeys: o.apiKeys, adminToken }), debugTrace }),
    ];
    const ingress = await startIngress({
      redisUrl,
      prefix,
      ...ingressOptions,
      port: o.ports?.ingress ?? cfg.ingress.port,
      apiKeys: o.apiKeys,
      ...(o.adminToken ? { adminToken: o.adminToken } : {}),
      ...(o.limits?.deadlineMs ? { deadlineMs: o.limits.deadlineMs } : {}),
      log: log.child({ service: 'ingress' }),
      debugTrace,
      metrics: async (ctx) => (await renderMetrics(ctx.redis, prefix, ctx.queues)) + renderDeliveryMetrics(await deliveryStats(ctx.redis, prefix)),
      plugins: o.ingressPlugins ?? defaultPlugins(),
      ...(admit ? { admit } : {}),
    });
    closers.push(() => ingress.close());
    const deliveries = deliveryRole({ channels: channelsConfigFromEnv(env), ...cfg.deliveries });
    if (o.deliveries !== false) closers.push(await deliveries({ redisUrl, prefix, log: log.child({ service: 'deliveries' }) }));
    for (const role of [...archiveRoles, ...(o.extraRoles ?? [])]) closers.push(await role({ redisUrl, prefix, log }));
    return {
      ingress,
      url: ingress.url,
      shopUrl,
      llmUrl: llmBase,
      registry,
      log,
      async close() {
        for (const c of closers.reverse()) await c();
      },
    };
  } catch (e) {
    for (const c of closers.reverse()) await c().catch(() => {});
    throw e;
  }
}
