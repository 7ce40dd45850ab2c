import { DEFAULTS, type Proposal } from '@steward/core';
import { admissionOptionsFromEnv, channelPluginsFromEnv, deliveryRole, deliveryStats, renderDeliveryMetrics, startAdmission } from '@steward/channels';
import { commerceTools, createShopClient } from '@steward/commerce';
import { startController, type ControllerLimits } from '@steward/controller';
import { startIngress, type IngressOptions, type RunningIngress } from '@steward/ingress';
import { createLlmClient, parseTextReply } from '@steward/llm';
import { startReasoningWorker, type LlmPort } from '@steward/reasoning-worker';
import { startShop } from '@steward/shop';
import { startSimLlm } from '@steward/sim-llm';
import { createLogger, type Logger } from '@steward/telemetry';
import { startToolWorker } from '@steward/tool-worker';
import { ToolRegistry } from '@steward/tools';
import { debugTraceOf, renderMetrics } from './observability.ts';

export interface SystemOptions {
  redisUrl: string;
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
  toolStyle?: 'native' | 'text';
  simLlm?: { latency?: string; faults?: string; seed?: string };
  /** OTLP export of spans; absent = the tracer still runs when `tracer: true` with env config. */
  tracer?: boolean;
  concurrency?: { reasoning?: number; control?: number; tools?: number };
  requireConfirmation?: boolean;
  logLevel?: string;
  logger?: Logger;
  /**
   * Ingress plugins. Default: hardened input, the platform webhooks and the web chat, configured
   * from the environment (channelPluginsFromEnv). Given, they replace that default.
   */
  ingressPlugins?: IngressOptions['plugins'];
  /** Demo key handed to the web chat (must be one of apiKeys). */
  webChatDemoKey?: string;
  /** Start the deliveries worker (channel answers). Default true. */
  deliveries?: boolean;
  /**
   * Backpressure for every message intake. Default: the same admission as the ingress process
   * (per-principal, per-customer and per-channel token buckets, reasoning backlog; RATE_* env).
   * `false` turns it off (benchmarks that measure the pipeline itself).
   */
  admit?: IngressOptions['admit'] | false;
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

/** Every service of steward in one process, each with its own connections, as in production. */
export async function startSystem(o: SystemOptions): Promise<RunningSystem> {
  const prefix = o.prefix ?? DEFAULTS.redisPrefix;
  const log = o.logger ?? createLogger({ service: 'steward', level: (o.logLevel ?? 'info') as 'info' });
  const closers: (() => Promise<void>)[] = [];
  try {
    const registry = new ToolRegistry(commerceTools);
    let shopUrl = o.shopUrl;
    if (!shopUrl) {
      const shop = await startShop({
        port: o.ports?.shop ?? DEFAULTS.ports.shop,
        logger: log.child({ service: 'shop' }),
        ...(o.shopData ? { dataDir: o.shopData } : {}),
      });
      closers.push(() => shop.close());
      shopUrl = shop.url;
    }
    let llmBase = o.llmBaseUrl;
    if (!llmBase) {
      const sim = await startSimLlm({ port: o.ports?.simLlm ?? DEFAULTS.ports.simLlm, ...o.simLlm });
      closers.push(() => sim.close());
      llmBase = `${sim.url}/v1`;
    }
    const llm: LlmPort = createLlmClient({
      baseURL: llmBase,
      apiKey: o.llmApiKey ?? 'sim-llm-needs-no-key',
      model: o.llmModel ?? DEFAULTS.llmModel,
      maxRateLimitRetries: 0,
    });
    const parseText = (content: string): Proposal => parseTextReply(content);
    const shop = createShopClient(shopUrl);
    const common = { redisUrl: o.redisUrl, prefix, registry };

    const tools = await startToolWorker({ ...common, shop, log: log.child({ service: 'tool-worker' }), concurrency: o.concurrency?.tools ?? 50 });
    closers.push(() => tools.close());
    const controller = await startController({
      ...common,
      log: log.child({ service: 'controller' }),
      concurrency: o.concurrency?.control ?? 50,
      ...(o.limits ? { limits: o.limits } : {}),
      ...(o.requireConfirmation === undefined ? {} : { requireConfirmation: o.requireConfirmation }),
      keepTranscript: o.promptMode === 'naive',
    });
    closers.push(() => controller.close());
    const reasoning = await startReasoningWorker({
      ...common,
      llm,
      parseText,
      log: log.child({ service: 'reasoning-worker' }),
      concurrency: o.concurrency?.reasoning ?? 50,
      promptMode: o.promptMode ?? 'budgeted',
      ...(o.toolStyle ? { toolStyle: o.toolStyle } : {}),
    });
    closers.push(() => reasoning.close());
    if (o.tracer !== false) {
      const { startTracer } = await import('@steward/tracer');
      const tracer = await startTracer({ redisUrl: o.redisUrl, prefix, logger: log.child({ service: 'tracer' }) });
      closers.push(() => tracer.close());
    }
    let admit = o.admit === false ? undefined : o.admit;
    if (o.admit === undefined) {
      const admission = await startAdmission({ redisUrl: o.redisUrl, prefix, ...admissionOptionsFromEnv() });
      closers.push(() => admission.close());
      admit = admission.admit;
    }
    const ingress = await startIngress({
      redisUrl: o.redisUrl,
      prefix,
      port: o.ports?.ingress ?? DEFAULTS.ports.ingress,
      apiKeys: o.apiKeys,
      ...(o.adminToken ? { adminToken: o.adminToken } : {}),
      ...(o.limits?.deadlineMs ? { deadlineMs: o.limits.deadlineMs } : {}),
      log: log.child({ service: 'ingress' }),
      debugTrace: (events) => debugTraceOf(events, { jaegerUrl: process.env.JAEGER_URL ?? 'http://localhost:16686' }),
      metrics: async (ctx) => (await renderMetrics(ctx.redis, prefix, ctx.queues)) + renderDeliveryMetrics(await deliveryStats(ctx.redis, prefix)),
      plugins: o.ingressPlugins ?? channelPluginsFromEnv({ ...process.env, ...(o.webChatDemoKey ? { WEB_CHAT_DEMO_KEY: o.webChatDemoKey } : {}) }),
      ...(admit ? { admit } : {}),
    });
    closers.push(() => ingress.close());
    const roles = [...(o.deliveries === false ? [] : [deliveryRole()]), ...(o.extraRoles ?? [])];
    for (const role of roles) closers.push(await role({ redisUrl: o.redisUrl, prefix, log: log.child({ service: 'deliveries' }) }));
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
