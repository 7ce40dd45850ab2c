import { describe, expect, it } from 'vitest';
import { channelsConfigFromEnv, parsePairs } from './config.ts';
import { admissionOptionsFromEnv, channelPluginsFromEnv } from './from-env.ts';

describe('configuration from the environment', () => {
  it('parses channel=value lists, ignoring blanks and malformed parts', () => {
    expect(parsePairs(' shopify = s1 ,crm=s=2,,=x,bad, ')).toEqual({ shopify: 's1', crm: 's=2' });
    expect(parsePairs(undefined)).toEqual({});
  });

  it('defaults the platform API bases and leaves unconfigured channels without secrets', () => {
    const c = channelsConfigFromEnv({ SLACK_SIGNING_SECRET: 'x', WEBHOOK_SECRETS: 'crm=s', WEBHOOK_CALLBACKS: 'crm=https://crm.example/answers' });
    expect(c.slack).toMatchObject({ signingSecret: 'x', apiBase: 'https://slack.com/api' });
    expect(c.telegram).toMatchObject({ secretToken: undefined, apiBase: 'https://api.telegram.org' });
    expect(c.webhooks).toEqual({ secrets: { crm: 's' }, callbacks: { crm: 'https://crm.example/answers' } });
    expect(c.toleranceSec).toBe(300);
  });

  it('refuses a malformed API base', () => {
    expect(() => channelsConfigFromEnv({ SLACK_API_BASE: 'not a url' })).toThrow(/SLACK_API_BASE/);
  });

  it('builds admission limits, 0 turning a limit off', () => {
    expect(admissionOptionsFromEnv({})).toEqual({
      perPrincipal: { rate: 100, burst: 400 },
      perCustomer: { rate: 0.2, burst: 5 },
      perChannel: { rate: 50, burst: 200 },
      maxBacklog: 2000,
    });
    expect(admissionOptionsFromEnv({ RATE_PRINCIPAL_PER_SEC: '0', RATE_CHANNEL_PER_SEC: '0', MAX_REASONING_BACKLOG: '0' })).toEqual({
      perCustomer: { rate: 0.2, burst: 5 },
    });
  });

  it('returns the three ingress plugins', () => {
    expect(channelPluginsFromEnv({ WEB_CHAT_DEMO_KEY: 'demo-key-123' })).toHaveLength(3);
    expect(() => channelPluginsFromEnv({ MESSAGE_MAX_CHARS: '-1' })).toThrow(/MESSAGE_MAX_CHARS/);
  });
});

describe('empty channel variables', () => {
  it('treats VAR= as unset, as compose and Kubernetes pass unconfigured secrets', () => {
    const c = channelsConfigFromEnv({ SLACK_SIGNING_SECRET: '', TELEGRAM_SECRET_TOKEN: '', WHATSAPP_API_BASE: '' });
    expect(c.slack?.signingSecret).toBeUndefined();
    expect(c.telegram?.secretToken).toBeUndefined();
  });
});
