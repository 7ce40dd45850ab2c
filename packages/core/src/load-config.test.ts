import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { DEFAULTS } from './constants.ts';
import { isStewardError } from './errors.ts';
import { loadConfig } from './load-config.ts';

describe('loadConfig', () => {
  it('gives every role the limits of DEFAULTS when nothing is set', () => {
    const c = loadConfig({}, 'controller');
    expect(c.controller.limits).toEqual({
      maxTurns: DEFAULTS.maxTurns,
      deadlineMs: DEFAULTS.deadlineMs,
      maxToolCallsPerQuery: DEFAULTS.maxToolCallsPerQuery,
      historyVerbatimMessages: DEFAULTS.historyVerbatimMessages,
    });
    expect(c.reasoning.budget).toEqual({ maxContextTokens: DEFAULTS.maxContextTokens, verbatimMessages: DEFAULTS.historyVerbatimMessages });
    expect(c.redis).toEqual({ url: DEFAULTS.redisUrl, prefix: DEFAULTS.redisPrefix });
  });

  it('folds the summary at the verbatim window the prompt uses (one variable for both roles)', () => {
    const c = loadConfig({ HISTORY_VERBATIM_MESSAGES: '3' });
    expect(c.controller.limits.historyVerbatimMessages).toBe(3);
    expect(c.reasoning.budget.verbatimMessages).toBe(3);
  });

  it('keeps the transcript in the controller when prompts are naive', () => {
    expect(loadConfig({ PROMPT_MODE: 'naive' }, 'controller').controller.keepTranscript).toBe(true);
    expect(loadConfig({}, 'controller').controller.keepTranscript).toBe(false);
  });

  it('treats an empty value as unset (compose and k8s pass VAR= for blank settings)', () => {
    expect(loadConfig({ MAX_TURNS: '', SHOP_URL: ' ' }, 'controller')).toEqual(loadConfig({}, 'controller'));
  });

  it('throws a non-retryable ConfigError naming every bad variable, never echoing a value', () => {
    let error: unknown;
    try {
      loadConfig({ MAX_TURNS: 'x', LLM_TOOL_STYLE: 'yaml', WEB_CHAT_DEMO_KEY: 'Sekr3t' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(isStewardError(error) && error.retryable).toBe(false);
    const message = (error as Error).message;
    for (const v of ['MAX_TURNS:', 'LLM_TOOL_STYLE:', 'WEB_CHAT_DEMO_KEY:']) expect(message).toContain(v);
    expect(message).not.toContain('Sekr3t');
    expect((error as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['LLM_TOOL_STYLE', 'MAX_TURNS', 'WEB_CHAT_DEMO_KEY']);
  });

  it('gives every worker role the same job locks, and refuses a renewal that is not shorter than the lock', () => {
    const c = loadConfig({ JOB_LOCK_MS: '3000', JOB_LOCK_RENEW_MS: '600', STALLED_INTERVAL_MS: '700', ACTIVE_REPLICAS: '1' });
    const want = { lockMs: 3000, renewMs: 600, stalledIntervalMs: 700, activeReplicas: 1 };
    for (const locks of [c.reasoning.jobLocks, c.controller.jobLocks, c.tools.jobLocks, c.deliveries.jobLocks]) expect(locks).toEqual(want);
    expect(loadConfig({}).tools.jobLocks).toEqual(DEFAULTS.jobLocks);
    expect(() => loadConfig({ JOB_LOCK_MS: '1000', JOB_LOCK_RENEW_MS: '1000' })).toThrow(/JOB_LOCK_RENEW_MS/);
  });

  it('gives PORT to the role that serves it, and the all-in-one system its ingress port', () => {
    expect(loadConfig({ PORT: '4000' }, 'shop').shop.port).toBe(4000);
    expect(loadConfig({ PORT: '4000' }, 'sim-llm').simLlm.port).toBe(4000);
    expect(loadConfig({ PORT: '4000' }, 'ingress').ingress.port).toBe(4000);
    const system = loadConfig({ PORT: '4000', SHOP_PORT: '4100' }, 'system');
    expect([system.ingress.port, system.shop.port, system.simLlm.port]).toEqual([4000, 4100, DEFAULTS.ports.simLlm]);
  });

  it('points a role at the local shop and sim-llm by default, and the system embeds them', () => {
    const tw = loadConfig({ SHOP_PORT: '4100' }, 'tool-worker');
    expect(tw.shopClient.url).toBe('http://127.0.0.1:4100');
    expect(loadConfig({}, 'system').embedded).toEqual({ shop: true, llm: true });
    const external = loadConfig({ SHOP_URL: 'http://s:1', OPENAI_BASE_URL: 'http://m:2/v1' }, 'system');
    expect(external.embedded).toEqual({ shop: false, llm: false });
    expect(external.llm.baseURL).toBe('http://m:2/v1');
  });

  it('maps the per-conversation and per-query budgets to the ledger limits', () => {
    const c = loadConfig({ LLM_BUDGET_QUERY_TOKENS: '500' }, 'controller');
    expect(c.controller.budgets).toEqual({
      maxConversationTokens: DEFAULTS.budgets.conversationTokens,
      maxConversationUsd: DEFAULTS.budgets.conversationUsd,
      maxQueryTokens: 500,
    });
  });
});
