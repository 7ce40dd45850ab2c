// The shop's HTTP face: one route per tool call, plus health and an admin export. Fault and
// latency injection exist for chaos tests of the tool-worker's retries and timeouts.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { CATALOG_DEFAULTS, COMMERCE_TOOL_NAMES, ShopEngine, UnknownToolError, catalogIndex, generateCatalog, generatedSource, invokeTool } from '@steward/commerce';
import { DEFAULTS, ShopToolRequest, errorMessage, isStewardError } from '@steward/core';
import { createLogger, type Logger } from '@steward/telemetry';
import { bearerMatches, checkShopAccess, type ShopMode } from './shop-access.ts';

export interface StartShopOptions {
  port?: number;
  host?: string;
  /** Use this engine as is (tests); otherwise one is opened from dbPath/dataDir. */
  engine?: ShopEngine;
  /** A τ-bench layout directory to load at start. */
  dataDir?: string;
  /** SQLite file; a fresh temp dir when unset. An already loaded file is reused as is. */
  dbPath?: string;
  /** Seed of the generated demo catalog (when there is no dataDir and no loaded db). */
  seed?: number;
  /** Smaller demo catalog, e.g. for tests: {products, users, orders}. */
  catalogSize?: { products?: number; users?: number; orders?: number };
  /** Bearer token every route but /healthz needs; mandatory in production mode. */
  apiToken?: string;
  /**
   * production (default): token required, no admin routes. demo/test: the token is optional and
   * GET /v1/export, POST /v1/reset exist (they expose and erase every customer's data).
   */
  mode?: ShopMode;
  /** 0..1: fraction of tool calls answered 503. */
  faultRate?: number;
  /** 0..1: fraction of tool calls delayed by slowMs. */
  slowRate?: number;
  slowMs?: number;
  /** Every tool call waits a uniform time in [min, max] ms first (benchmarks: a merchant system's latency). */
  latencyMs?: { min: number; max: number };
  logger?: Logger;
  /** Source of randomness for fault/slow injection (tests make it deterministic). */
  random?: () => number;
}

export interface RunningShop {
  url: string;
  engine: ShopEngine;
  app: FastifyInstance;
  close(): Promise<void>;
}

function openEngine(opts: StartShopOptions, log: Logger): { engine: ShopEngine; tempDir?: string } {
  if (opts.engine) return { engine: opts.engine };
  const tempDir = opts.dbPath ? undefined : mkdtempSync(join(tmpdir(), 'steward-shop-'));
  const path = opts.dbPath ?? join(tempDir!, 'shop.db');
  const engine = new ShopEngine({ path });
  if (opts.dataDir) {
    engine.loadDir(opts.dataDir);
    log.info({ dataDir: opts.dataDir }, 'loaded τ-bench layout');
  } else {
    const seed = opts.seed ?? 42;
    const sizes = { ...CATALOG_DEFAULTS, ...opts.catalogSize, seed };
    // A database made from another seed or size is regenerated, never silently reused.
    const source = generatedSource(sizes);
    if (engine.loadedSource() === source) {
      log.info({ path }, 'reusing the generated demo catalog');
    } else {
      engine.loadData(generateCatalog(sizes), source);
      log.info({ seed, path }, 'generated demo catalog');
    }
  }
  return tempDir ? { engine, tempDir } : { engine };
}

const sendError = (reply: FastifyReply, status: number, code: string, message: string, details?: unknown): FastifyReply =>
  reply.code(status).send({ error: { code, message, ...(details === undefined ? {} : { details }) } });

export async function startShop(opts: StartShopOptions = {}): Promise<RunningShop> {
  const mode = opts.mode ?? 'production';
  // Before anything is opened: a misconfigured shop must not come up at all.
  checkShopAccess(mode, opts.apiToken);
  const log = opts.logger ?? createLogger({ service: 'shop' });
  const { engine, tempDir } = openEngine(opts, log);
  // Build the search index now: the first search_products must not pay seconds of indexing
  // inside a tool timeout.
  catalogIndex(engine);
  const random = opts.random ?? Math.random;
  const tools = new Set<string>(COMMERCE_TOOL_NAMES);
  // Retries come within seconds; keys live a day (the dedupe TTL), then the store is pruned.
  const purge = setInterval(() => engine.purgeIdempotencyKeys(DEFAULTS.dedupeTtlSec * 1000), 3_600_000);
  purge.unref();
  const app = Fastify({ logger: false, bodyLimit: 1_000_000, genReqId: () => randomUUID() });

  const token = opts.apiToken;
  const authorized = (req: FastifyRequest): boolean => !token || bearerMatches(req.headers.authorization, token);

  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/healthz')) return;
    if (!authorized(req)) return sendError(reply, 401, 'unauthorized', 'missing or wrong bearer token');
  });

  app.addHook('onResponse', async (req, reply) => {
    // Only the route and status: arguments carry personal data and stay out of the logs.
    log.debug({ reqId: req.id, route: req.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.get('/healthz', async () => ({ status: 'ok', tools: tools.size }));

  if (mode !== 'production') {
    app.get('/v1/export', async (_req, reply) => reply.type('application/json').send(engine.exportJson()));
    app.post('/v1/reset', async () => {
      engine.reset();
      return { ok: true };
    });
  }

  app.post<{ Params: { name: string } }>('/v1/tools/:name', async (req, reply) => {
    const { name } = req.params;
    if (!tools.has(name)) return sendError(reply, 404, 'unknown_tool', `unknown tool: ${name}`);
    const body = ShopToolRequest.safeParse(req.body);
    if (!body.success) {
      return sendError(reply, 400, 'invalid_request', 'body must be {arguments, customerId, idempotencyKey?}', body.error.issues);
    }
    if ((opts.faultRate ?? 0) > 0 && random() < opts.faultRate!) {
      return sendError(reply.header('retry-after', '0'), 503, 'fault_injected', 'injected fault (SHOP_FAULT_RATE)');
    }
    if ((opts.slowRate ?? 0) > 0 && random() < opts.slowRate!) await new Promise((r) => setTimeout(r, opts.slowMs ?? 2_000));
    if (opts.latencyMs) {
      const { min, max } = opts.latencyMs;
      await new Promise((r) => setTimeout(r, min + random() * (max - min)));
    }
    try {
      return invokeTool(engine, name, body.data.arguments, { customerId: body.data.customerId, idempotencyKey: body.data.idempotencyKey });
    } catch (e) {
      if (e instanceof UnknownToolError) return sendError(reply, 404, 'unknown_tool', e.message);
      log.error({ tool: name, err: errorMessage(e) }, 'tool failed');
      const retryable = isStewardError(e) ? e.retryable : true;
      return sendError(reply, retryable ? 503 : 500, 'tool_failed', `tool ${name} failed`);
    }
  });

  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'not_found', `no route ${req.method} ${req.url}`));
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return sendError(reply, status, status === 500 ? 'internal' : 'invalid_request', status === 500 ? 'internal error' : err.message);
  });

  const address = await app.listen({ port: opts.port ?? DEFAULTS.ports.shop, host: opts.host ?? '127.0.0.1' });
  log.info({ url: address, mode, auth: token ? 'bearer' : 'none' }, 'shop listening');
  return {
    url: address,
    engine,
    app,
    async close() {
      clearInterval(purge);
      await app.close();
      if (!opts.engine) engine.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
