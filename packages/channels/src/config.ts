import { z } from 'zod';
import { formatIssues } from '@steward/core';
import { CHANNEL_LIMITS, DEFAULT_API_BASES } from './constants.ts';

/** `a=x,b=y` → {a:'x', b:'y'}; used by WEBHOOK_SECRETS and WEBHOOK_CALLBACKS. */
export function parsePairs(spec: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (spec ?? '').split(',')) {
    const s = part.trim();
    const eq = s.indexOf('=');
    if (eq > 0 && eq < s.length - 1) out[s.slice(0, eq).trim()] = s.slice(eq + 1).trim();
  }
  return out;
}

// An empty variable is an unset one (compose and k8s pass `VAR=` for secrets not configured).
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const opt = z.preprocess(unsetIfEmpty, z.string().min(1).optional());
const url = z.preprocess(unsetIfEmpty, z.url().optional());

export const ChannelsEnv = z.object({
  SLACK_SIGNING_SECRET: opt,
  SLACK_BOT_TOKEN: opt,
  SLACK_API_BASE: url,
  WHATSAPP_APP_SECRET: opt,
  WHATSAPP_VERIFY_TOKEN: opt,
  WHATSAPP_ACCESS_TOKEN: opt,
  WHATSAPP_PHONE_NUMBER_ID: opt,
  WHATSAPP_API_BASE: url,
  TELEGRAM_SECRET_TOKEN: opt,
  TELEGRAM_BOT_TOKEN: opt,
  TELEGRAM_API_BASE: url,
  WEBHOOK_SECRETS: z.string().optional(),
  WEBHOOK_CALLBACKS: z.string().optional(),
  CHANNEL_SIGNATURE_TOLERANCE_SEC: z.preprocess(unsetIfEmpty, z.coerce.number().int().positive().optional()),
});

/** What every adapter and the delivery worker need; a channel without its secret is disabled. */
export interface ChannelsConfig {
  slack?: { signingSecret?: string | undefined; botToken?: string | undefined; apiBase: string };
  whatsapp?: {
    appSecret?: string | undefined;
    verifyToken?: string | undefined;
    accessToken?: string | undefined;
    phoneNumberId?: string | undefined;
    apiBase: string;
  };
  telegram?: { secretToken?: string | undefined; botToken?: string | undefined; apiBase: string };
  /** Generic signed webhooks: channel name → shared secret, and where its answers go. */
  webhooks?: { secrets: Record<string, string>; callbacks: Record<string, string> };
  toleranceSec?: number;
}

/** The channels configuration from the environment; a malformed value stops the service. */
export function channelsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ChannelsConfig {
  const r = ChannelsEnv.safeParse(env);
  if (!r.success) throw new Error(`invalid channels environment: ${formatIssues(r.error)}`);
  const e = r.data;
  return {
    slack: { signingSecret: e.SLACK_SIGNING_SECRET, botToken: e.SLACK_BOT_TOKEN, apiBase: e.SLACK_API_BASE ?? DEFAULT_API_BASES.slack },
    whatsapp: {
      appSecret: e.WHATSAPP_APP_SECRET,
      verifyToken: e.WHATSAPP_VERIFY_TOKEN,
      accessToken: e.WHATSAPP_ACCESS_TOKEN,
      phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
      apiBase: e.WHATSAPP_API_BASE ?? DEFAULT_API_BASES.whatsapp,
    },
    telegram: { secretToken: e.TELEGRAM_SECRET_TOKEN, botToken: e.TELEGRAM_BOT_TOKEN, apiBase: e.TELEGRAM_API_BASE ?? DEFAULT_API_BASES.telegram },
    webhooks: { secrets: parsePairs(e.WEBHOOK_SECRETS), callbacks: parsePairs(e.WEBHOOK_CALLBACKS) },
    toleranceSec: e.CHANNEL_SIGNATURE_TOLERANCE_SEC ?? CHANNEL_LIMITS.signatureToleranceSec,
  };
}
