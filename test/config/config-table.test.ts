// The README's configuration table is the contract: every variable in it is parsed by
// loadConfig, changes what the roles that the table names are started with, and changes what
// the all-in-one system (startSystem, `./steward demo`) is started with; an invalid value stops
// loadConfig with a message naming the variable. What each role reads mirrors its main.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  STEWARD_ENV_VARIABLES,
  isStewardError,
  loadConfig,
  type StewardConfig,
} from '@steward/core';
import { ChannelsIngressEnv, channelsConfigFromEnv } from '@steward/channels';
import { loadPricing } from '@steward/llm';
import { traceExportConfigFromEnv } from '@steward/telemetry/otlp';
import { SERVICES } from '../../scripts/lib/build-services.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'steward-config-'));
const pricingFile = join(tmp, 'pricing.json');
writeFileSync(pricingFile, JSON.stringify({ 'my-model': { input: 1, output: 2 } }));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Every service with an entry point: the build's one list (scripts/lib/build-services.ts).
const ROLES = SERVICES;
type Role = (typeof ROLES)[number];
const WORKERS: Role[] = ['reasoning-worker', 'controller', 'tool-worker', 'deliveries'];

/** Rows of the table: the variables of the first cell, the roles of the second. */
function readTable(): { variables: string[]; roles: Set<Role> }[] {
  const section = README.slice(
    README.indexOf('## Configuration'),
    README.indexOf('\n## ', README.indexOf('## Configuration') + 5),
  );
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  return rows.map((row) => {
    const [first = '', second = ''] = row.split('|').slice(1);
    const variables = [...first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] ?? '');
    const roles = new Set<Role>();
    const cell = second.trim();
    const but = /^all but (.+)$/.exec(cell);
    if (but) {
      const excluded = (but[1] ?? '').split(',').map((t) => t.trim());
      ROLES.filter((r) => !excluded.includes(r)).forEach((r) => roles.add(r));
    } else {
      for (const token of cell.split(/[,/]/).map((t) => t.trim())) {
        if (token === 'workers') WORKERS.forEach((r) => roles.add(r));
        else if ((ROLES as readonly string[]).includes(token)) roles.add(token as Role);
        // The demo is the all-in-one system, checked for every variable; the CLI is no role.
        else if (token !== 'demo' && token !== 'CLI')
          throw new Error(`README configuration table: unknown service "${token}" in ${row}`);
      }
    }
    return { variables, roles };
  });
}

/** A valid non-default value of every variable, and an invalid one where the type has any. */
const SAMPLES: Record<string, { valid: string; invalid?: string }> = {
  REDIS_URL: { valid: 'redis://redis.internal:6380', invalid: 'http://redis:6379' },
  REDIS_PREFIX: { valid: '{shop-a}' },
  LOG_LEVEL: { valid: 'debug', invalid: 'loud' },
  REDACT_PII: { valid: 'false', invalid: 'maybe' },
  PORT: { valid: '4000', invalid: '70000' },
  HOST: { valid: '0.0.0.0' },
  SHOP_PORT: { valid: '4100', invalid: 'x' },
  SIM_LLM_PORT: { valid: '4200', invalid: '-1' },
  HEALTH_PORT: { valid: '9999', invalid: 'abc' },
  JOB_LOCK_MS: { valid: '3000', invalid: '50' },
  QUERY_DONE_TTL_SEC: { valid: '600', invalid: '10' },
  CONVERSATION_IDLE_TTL_SEC: { valid: '86400', invalid: 'a week' },
  JOB_LOCK_RENEW_MS: { valid: '800', invalid: 'often' },
  STALLED_INTERVAL_MS: { valid: '1000', invalid: '10' },
  ACTIVE_REPLICAS: { valid: '1', invalid: '-1' },
  INGRESS_API_KEYS: { valid: 'k1,slack=k2' },
  ADMIN_TOKEN: { valid: 'admin-secret' },
  QUERY_DEADLINE_MS: { valid: '45000', invalid: '30s' },
  BODY_LIMIT_BYTES: { valid: '1024', invalid: '-5' },
  DOUBLE_TEXTING: { valid: 'restart', invalid: 'merge' },
  JAEGER_URL: { valid: 'http://jaeger.internal:16686', invalid: 'not a url' },
  RATE_CUSTOMER_PER_SEC: { valid: '1', invalid: 'fast' },
  RATE_CUSTOMER_BURST: { valid: '9', invalid: '-1' },
  RATE_CHANNEL_PER_SEC: { valid: '10', invalid: 'x' },
  RATE_CHANNEL_BURST: { valid: '20', invalid: 'x' },
  MAX_REASONING_BACKLOG: { valid: '10', invalid: '1.5' },
  OPENAI_BASE_URL: { valid: 'https://api.example.com/v1', invalid: 'api.example.com' },
  OPENAI_API_KEY: { valid: 'sk-test' },
  LLM_MODEL: { valid: 'gpt-4.1-mini' },
  LLM_TOOL_STYLE: { valid: 'text', invalid: 'yaml' },
  LLM_TIMEOUT_MS: { valid: '5000', invalid: 'soon' },
  LLM_MAX_RETRIES: { valid: '1', invalid: '-1' },
  LLM_RPM: { valid: '60', invalid: 'many' },
  LLM_PRICING: { valid: '{"my-model":{"input":1,"output":2}}', invalid: '{"my-model":' },
  LLM_PRICING_FILE: { valid: pricingFile },
  LLM_BUDGET_CONVERSATION_TOKENS: { valid: '1000', invalid: 'lots' },
  LLM_BUDGET_CONVERSATION_USD: { valid: '0.5', invalid: '-1' },
  LLM_BUDGET_QUERY_TOKENS: { valid: '500', invalid: 'x' },
  LLM_BUDGET_QUERY_USD: { valid: '0.1', invalid: 'x' },
  MAX_CONTEXT_TOKENS: { valid: '4000', invalid: '4k' },
  OUTPUT_TOKENS_PER_TURN: { valid: '300', invalid: 'x' },
  HISTORY_VERBATIM_MESSAGES: { valid: '2', invalid: 'x' },
  PROMPT_MODE: { valid: 'naive', invalid: 'smart' },
  MAX_TURNS: { valid: '3', invalid: 'three' },
  MAX_TOOL_CALLS: { valid: '5', invalid: '2.5' },
  REQUIRE_CONFIRMATION: { valid: 'false', invalid: 'no' },
  REASONING_CONCURRENCY: { valid: '4', invalid: 'x' },
  CONTROLLER_CONCURRENCY: { valid: '4', invalid: 'x' },
  HANDOFF_SLA_MINUTES: { valid: '2.5', invalid: 'soon' },
  HANDOFF_RETENTION_HOURS: { valid: '48', invalid: 'x' },
  SWEEPER_INTERVAL_MS: { valid: '500', invalid: '0' },
  SWEEPER_OUTBOX_GRACE_MS: { valid: '2000', invalid: 'x' },
  SWEEPER_DEADLINE_GRACE_MS: { valid: '3000', invalid: '-1' },
  TOOL_CONCURRENCY: { valid: '4', invalid: 'x' },
  SHOP_URL: { valid: 'http://shop.internal:3100', invalid: 'not a url' },
  SHOP_API_TOKEN: { valid: 'shop-token' },
  TOOL_TIMEOUT_MS: { valid: '2000', invalid: 'x' },
  DELIVERY_CONCURRENCY: { valid: '3', invalid: 'x' },
  DELIVERY_TIMEOUT_MS: { valid: '3000', invalid: 'x' },
  SHOP_DATA: { valid: '/data/taubench' },
  SHOP_DB: { valid: '/var/lib/steward/shop.db' },
  SHOP_SEED: { valid: '7', invalid: 'seven' },
  SHOP_FAULT_RATE: { valid: '0.1', invalid: '2' },
  SHOP_SLOW_RATE: { valid: '0.2', invalid: '-0.1' },
  SHOP_SLOW_MS: { valid: '100', invalid: 'x' },
  SHOP_LATENCY_MS: { valid: '20-100', invalid: 'fast' },
  SHOP_MODE: { valid: 'demo', invalid: 'prod' },
  REDIS_COMMAND_TIMEOUT_MS: { valid: '1500', invalid: 'soon' },
  REDIS_DEADLINE_MS: { valid: '4000', invalid: '-1' },
  METRICS_TOKEN: { valid: 'prometheus-scrape-token-0123', invalid: 'short' },
  LLM_STREAM: { valid: 'false', invalid: 'sometimes' },
  RATE_PRINCIPAL_PER_SEC: { valid: '20', invalid: 'fast' },
  RATE_PRINCIPAL_BURST: { valid: '50', invalid: '-3' },
  LLM_API_VERSION: { valid: '2024-10-21' },
  LLM_MAX_FAULT_RETRIES: { valid: '5', invalid: 'many' },
  SIM_LLM_CHUNK_DELAY_MS: { valid: '15', invalid: 'slow' },
  SIM_LLM_LATENCY: { valid: '300±100ms', invalid: 'slow' },
  SIM_LLM_FAULTS: { valid: '429:0.3,timeout:0.02', invalid: '418:0.5' },
  SIM_LLM_SEED: { valid: '99' },
  OTEL_EXPORTER_OTLP_ENDPOINT: { valid: 'http://collector:4318', invalid: 'collector' },
  OTEL_EXPORTER_OTLP_PROTOCOL: { valid: 'grpc', invalid: 'udp' },
  OTEL_EXPORTER_OTLP_HEADERS: { valid: 'x-api-key=abc', invalid: 'no-equals-sign' },
  OTEL_SERVICE_NAME: { valid: 'steward-eu' },
  OTEL_TRACES_EXPORTER: { valid: 'none', invalid: 'zipkin' },
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: { valid: 'true', invalid: 'yes please' },
  TRACER_BATCH_SIZE: { valid: '10', invalid: '0' },
  TRACER_CLAIM_IDLE_MS: { valid: '5000', invalid: 'x' },
  TRACER_PORT: { valid: '9465', invalid: 'x' },
  TRACER_CONSUMER_NAME: { valid: 'tracer-0' },
  SLACK_SIGNING_SECRET: { valid: 's1' },
  SLACK_BOT_TOKEN: { valid: 'xoxb-1' },
  WHATSAPP_APP_SECRET: { valid: 'w1' },
  WHATSAPP_VERIFY_TOKEN: { valid: 'w2' },
  WHATSAPP_ACCESS_TOKEN: { valid: 'w3' },
  WHATSAPP_PHONE_NUMBER_ID: { valid: '12345' },
  TELEGRAM_SECRET_TOKEN: { valid: 't1' },
  TELEGRAM_BOT_TOKEN: { valid: '1:abc' },
  WEBHOOK_SECRETS: { valid: 'shopify=sec', invalid: 'shopify' },
  WEBHOOK_CALLBACKS: { valid: 'shopify=https://example.com/cb', invalid: ',' },
  WEB_CHAT_DEMO_KEY: { valid: 'web-demo-key-123', invalid: 'short' },
  DATABASE_URL: { valid: 'postgres://steward:pw@db.internal:5432/steward', invalid: 'mysql://db/steward' },
  ARCHIVE_SCHEMA: { valid: 'steward_archive', invalid: 'Archive-1' },
  ARCHIVE_PII: { valid: 'keep', invalid: 'drop' },
  ARCHIVE_HOT_TTL_SEC: { valid: '3600', invalid: '1h' },
  ARCHIVE_RETENTION: { valid: 'conversations=30d,steps=7d', invalid: 'chats=30d' },
  ARCHIVE_RETENTION_EVERY_MS: { valid: '60000', invalid: 'hourly' },
  ARCHIVER_BATCH_SIZE: { valid: '50', invalid: '0' },
  ARCHIVER_CLAIM_IDLE_MS: { valid: '5000', invalid: 'x' },
  ARCHIVER_CONSUMER_NAME: { valid: 'archiver-0' },
  ARCHIVER_PORT: { valid: '9465', invalid: '70000' },
};

/** What a role is started with, as its main.ts reads it (package-owned settings through their parsers). */
function roleView(role: Role | 'system', c: StewardConfig): unknown {
  const channels = () => channelsConfigFromEnv(c.env);
  switch (role) {
    case 'ingress':
      // The operator API over the archive: the database and its schema.
      return [c.redis, c.log, c.ingress, c.admission, channels(), ChannelsIngressEnv.parse(c.env), c.archive.databaseUrl, c.archive.schema];
    case 'reasoning-worker': {
      // It takes each turn's step (ADR 0016): the step rules of the controller's section.
      const { limits, requireConfirmation, budgets, keepTranscript } = c.controller;
      return [c.redis, c.log, c.healthPort, c.llm, c.reasoning, loadPricing(c.env), { limits, requireConfirmation, budgets, keepTranscript }];
    }
    case 'controller':
      return [c.redis, c.log, c.healthPort, c.controller];
    case 'tool-worker': {
      // It takes a turn's observe step with the controller's step rules (main.ts: stepRulesOf).
      const { limits, requireConfirmation, budgets, keepTranscript } = c.controller;
      return [c.redis, c.log, c.healthPort, c.shopClient, c.tools, { limits, requireConfirmation, budgets, keepTranscript }];
    }
    case 'deliveries':
      return [c.redis, c.log, c.healthPort, c.deliveries, channels()];
    case 'tracer':
      return [c.redis, c.log, c.tracer, traceExportConfigFromEnv(c.env)];
    case 'archiver':
      return [c.redis, c.log, c.archive];
    case 'shop':
      return [c.log, c.shop];
    case 'sim-llm':
      return [c.simLlm];
    case 'system': {
      // startSystem has no per-role probe servers (its ingress serves /healthz and /metrics).
      const { role: _r, env: _e, healthPort: _h, tracer, archive, ...rest } = c;
      const { port: _p, ...tracerOptions } = tracer;
      const { port: _ap, ...archiveOptions } = archive;
      return [
        rest,
        tracerOptions,
        archiveOptions,
        channels(),
        ChannelsIngressEnv.parse(c.env),
        loadPricing(c.env),
        traceExportConfigFromEnv(c.env),
      ];
    }
  }
}
/** Probe servers of a role process: the all-in-one system has the ingress' instead. */
const ROLE_PROCESS_ONLY = new Set(['HEALTH_PORT', 'TRACER_PORT', 'ARCHIVER_PORT']);

const table = readTable();
const documented = table.flatMap((r) => r.variables);

describe('the README configuration table and loadConfig', () => {
  it('documents exactly the variables loadConfig parses, each once', () => {
    expect(new Set(documented).size, 'a variable is documented twice').toBe(documented.length);
    expect([...documented].sort()).toEqual([...STEWARD_ENV_VARIABLES].sort());
  });

  it('has a sample for every variable (add one with each new variable)', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...STEWARD_ENV_VARIABLES].sort());
  });

  describe.each(table.flatMap((row) => row.variables.map((v) => [v, [...row.roles]] as const)))(
    '%s',
    (variable, roles) => {
      const sample = SAMPLES[variable];
      const env = { [variable]: sample?.valid };

      it.each(roles)('changes what the %s process starts with', (role) => {
        const before = roleView(role, loadConfig({}, role));
        const after = roleView(role, loadConfig(env, role));
        expect(after).not.toEqual(before);
      });

      // Not a skipped test where it does not apply: a per-process setting has no all-in-one meaning,
      // and a free-form value has no invalid form.
      if (!ROLE_PROCESS_ONLY.has(variable))
        it('changes what startSystem starts with', () => {
          expect(roleView('system', loadConfig(env, 'system'))).not.toEqual(
            roleView('system', loadConfig({}, 'system')),
          );
        });

      if (sample?.invalid !== undefined)
        it('stops loadConfig with an error naming it when invalid', () => {
          let error: unknown;
          try {
            loadConfig({ [variable]: sample?.invalid }, 'system');
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ConfigError);
          expect(isStewardError(error) && error.retryable).toBe(false);
          expect((error as Error).message).toContain(`${variable}:`);
        });
    },
  );
});
