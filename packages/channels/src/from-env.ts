import { z } from 'zod';
import { DEFAULTS, formatIssues } from '@steward/core';
import type { FastifyInstance } from 'fastify';
import type { IntakeContext as IngressContext } from '@steward/store';
import { channelRoutes } from './adapters/channel-routes.ts';
import type { AdmissionOptions } from './admission/create-admission.ts';
import { CHANNEL_LIMITS } from './constants.ts';
import { hardenInput } from './input/harden-input.ts';
import { webChat } from './web-chat/web-chat.ts';

const num = (def: number) => z.coerce.number().nonnegative().default(def);

/** Operator settings of the ingress side of this package (secrets are in config.ts's ChannelsEnv). */
export const ChannelsIngressEnv = z.object({
  /** At most the API's own limit (DEFAULTS.messageMaxChars): a longer message would fail its schema anyway. */
  MESSAGE_MAX_CHARS: z.coerce.number().int().positive().max(DEFAULTS.messageMaxChars).default(CHANNEL_LIMITS.messageMaxChars),
  JSON_MAX_DEPTH: z.coerce.number().int().positive().default(CHANNEL_LIMITS.jsonMaxDepth),
  JSON_MAX_FIELDS: z.coerce.number().int().positive().default(CHANNEL_LIMITS.jsonMaxFields),
  /** Demo mode of the web chat: this key (also in INGRESS_API_KEYS, as `web=<key>`) is handed to browsers. */
  WEB_CHAT_DEMO_KEY: z.string().min(8).optional(),
  WEB_CHAT_CUSTOMERS: z.string().default('james_li_5688'),
  /** Token buckets and backlog threshold: the defaults (and loadConfig's) are core's DEFAULTS. */
  RATE_PRINCIPAL_PER_SEC: num(DEFAULTS.rates.principalPerSec),
  RATE_PRINCIPAL_BURST: num(DEFAULTS.rates.principalBurst),
  RATE_CUSTOMER_PER_SEC: num(DEFAULTS.rates.customerPerSec),
  RATE_CUSTOMER_BURST: num(DEFAULTS.rates.customerBurst),
  RATE_CHANNEL_PER_SEC: num(DEFAULTS.rates.channelPerSec),
  RATE_CHANNEL_BURST: num(DEFAULTS.rates.channelBurst),
  MAX_REASONING_BACKLOG: num(DEFAULTS.maxReasoningBacklog),
});
export type ChannelsIngressEnv = z.infer<typeof ChannelsIngressEnv>;

function parse(env: NodeJS.ProcessEnv): ChannelsIngressEnv {
  const r = ChannelsIngressEnv.safeParse(env);
  if (!r.success) throw new Error(`invalid channels environment: ${formatIssues(r.error)}`);
  return r.data;
}

type Plugin = (app: FastifyInstance, ctx: IngressContext) => Promise<void> | void;

/** Every ingress plugin of this package, configured from the environment: `plugins: channelPluginsFromEnv()`. */
export function channelPluginsFromEnv(env: NodeJS.ProcessEnv = process.env): Plugin[] {
  const e = parse(env);
  return [
    hardenInput({ messageMaxChars: e.MESSAGE_MAX_CHARS, maxDepth: e.JSON_MAX_DEPTH, maxFields: e.JSON_MAX_FIELDS }),
    channelRoutes({ messageMaxChars: e.MESSAGE_MAX_CHARS, json: { maxDepth: e.JSON_MAX_DEPTH, maxFields: e.JSON_MAX_FIELDS } }),
    webChat({
      ...(e.WEB_CHAT_DEMO_KEY ? { demoKey: e.WEB_CHAT_DEMO_KEY } : {}),
      customers: e.WEB_CHAT_CUSTOMERS.split(',').map((s) => s.trim()).filter(Boolean),
    }),
  ];
}

/** Admission limits from the environment, for `startAdmission({redisUrl, prefix, ...admissionOptionsFromEnv()})`. */
export function admissionOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Omit<AdmissionOptions, 'queues'> {
  const e = parse(env);
  return {
    ...(e.RATE_PRINCIPAL_PER_SEC > 0 ? { perPrincipal: { rate: e.RATE_PRINCIPAL_PER_SEC, burst: Math.max(1, e.RATE_PRINCIPAL_BURST) } } : {}),
    ...(e.RATE_CUSTOMER_PER_SEC > 0 ? { perCustomer: { rate: e.RATE_CUSTOMER_PER_SEC, burst: Math.max(1, e.RATE_CUSTOMER_BURST) } } : {}),
    ...(e.RATE_CHANNEL_PER_SEC > 0 ? { perChannel: { rate: e.RATE_CHANNEL_PER_SEC, burst: Math.max(1, e.RATE_CHANNEL_BURST) } } : {}),
    ...(e.MAX_REASONING_BACKLOG > 0 ? { maxBacklog: e.MAX_REASONING_BACKLOG } : {}),
  };
}
