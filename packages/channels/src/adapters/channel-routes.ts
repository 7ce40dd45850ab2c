import type { FastifyInstance } from 'fastify';
import { DEFAULTS } from '@steward/core';
import type { IntakeContext as IngressContext } from '@steward/store';
import { channelsConfigFromEnv, type ChannelsConfig } from '../config.ts';
import { CHANNEL_LIMITS } from '../constants.ts';
import { installHardenedJson, type JsonLimits } from '../input/hardened-json.ts';
import { checkContentType } from '../input/harden-input.ts';
import { MAX_CLOCK_SKEW_SEC } from './fit-platform-text.ts';
import { slackRoute } from './slack-route.ts';
import { telegramRoute } from './telegram-route.ts';
import { webhookRoute } from './webhook-route.ts';
import { whatsappRoute } from './whatsapp-route.ts';

export interface ChannelRoutesOptions {
  /** Secrets and endpoints; default: read from the environment (see README). */
  config?: ChannelsConfig;
  messageMaxChars?: number;
  /** WhatsApp/Telegram messages older than this are dropped; below the dedupe window (default 12 h). */
  maxMessageAgeSec?: number;
  json?: Partial<JsonLimits>;
  /** Unix seconds (tests sign requests "from the past" with it). */
  nowSec?: () => number;
}

/**
 * The platform adapters as one ingress plugin. They live in their own Fastify scope, whose JSON
 * parser keeps the raw bytes: every signature is checked over exactly what the platform sent.
 */
export function channelRoutes(o: ChannelRoutesOptions = {}) {
  const maxMessageAgeSec = o.maxMessageAgeSec ?? CHANNEL_LIMITS.messageMaxAgeSec;
  // An accepted age past the dedupe window would let a replay in once its dedupe record expired.
  if (maxMessageAgeSec + MAX_CLOCK_SKEW_SEC >= DEFAULTS.dedupeTtlSec) {
    throw new Error(`maxMessageAgeSec (${maxMessageAgeSec} s) must stay below the de-duplication window (${DEFAULTS.dedupeTtlSec} s) minus the clock skew allowance`);
  }
  return async (app: FastifyInstance, ctx: IngressContext): Promise<void> => {
    const config = o.config ?? channelsConfigFromEnv();
    const settings = {
      maxMessageAgeSec,
      config,
      toleranceSec: config.toleranceSec ?? CHANNEL_LIMITS.signatureToleranceSec,
      messageMaxChars: o.messageMaxChars ?? CHANNEL_LIMITS.messageMaxChars,
      nowSec: o.nowSec ?? (() => Math.floor(Date.now() / 1000)),
    };
    await app.register(async (scope) => {
      installHardenedJson(scope, {
        bodyLimit: o.json?.bodyLimit ?? CHANNEL_LIMITS.bodyLimitBytes,
        maxDepth: o.json?.maxDepth ?? CHANNEL_LIMITS.jsonMaxDepth,
        maxFields: o.json?.maxFields ?? CHANNEL_LIMITS.jsonMaxFields,
      });
      scope.addHook('onRequest', async (req, reply) => checkContentType(req, reply));
      slackRoute(scope, ctx, settings);
      whatsappRoute(scope, ctx, settings);
      telegramRoute(scope, ctx, settings);
      webhookRoute(scope, ctx, settings);
    });
  };
}
