import type { ChannelsConfig } from '../config.ts';
import { DEFAULT_API_BASES } from '../constants.ts';
import { signWebhook } from '../verify/webhook.ts';
import { DeliveryError, notConfigured } from './delivery-error.ts';
import { failIfHttpError, postJson, type FetchFn } from './http-post.ts';

export interface Outbound {
  queryId: string;
  conversationId: string;
  channel: string;
  recipient: string | undefined;
  text: string;
  language: string;
  outcome: string | undefined;
}

export interface SendContext {
  config: ChannelsConfig;
  fetch: FetchFn;
  timeoutMs: number;
  nowSec: () => number;
}

/** What the platform said about the message it accepted (its id, for the `delivery.sent` event). */
export interface Sent {
  platformMessageId?: string;
}

export async function sendToChannel(m: Outbound, c: SendContext): Promise<Sent> {
  switch (m.channel) {
    case 'slack':
      return sendSlack(m, c);
    case 'whatsapp':
      return sendWhatsApp(m, c);
    case 'telegram':
      return sendTelegram(m, c);
    default:
      return sendWebhook(m, c);
  }
}

const idem = (m: Outbound) => ({ 'idempotency-key': m.queryId });

function needRecipient(m: Outbound): string {
  if (!m.recipient) throw new DeliveryError('no_recipient', `a ${m.channel} answer needs a recipient`, false);
  return m.recipient;
}

// Slack answers HTTP 200 with {ok:false, error} for most failures; these few are transient.
const SLACK_RETRYABLE = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

async function sendSlack(m: Outbound, c: SendContext): Promise<Sent> {
  const s = c.config.slack;
  if (!s?.botToken) throw notConfigured('SLACK_BOT_TOKEN');
  // recipient is `channel` or `channel:thread_ts` (threaded questions are answered in the thread).
  const [channel, thread] = splitOnce(needRecipient(m), ':');
  const r = await postJson(
    c.fetch,
    `${s.apiBase ?? DEFAULT_API_BASES.slack}/chat.postMessage`,
    { channel, text: m.text, ...(thread ? { thread_ts: thread } : {}) },
    { authorization: `Bearer ${s.botToken}`, ...idem(m) },
    c.timeoutMs,
    'slack chat.postMessage',
  );
  failIfHttpError(r.status, 'slack chat.postMessage');
  const body = (r.json ?? {}) as { ok?: boolean; error?: string; ts?: string };
  if (body.ok !== true) {
    const err = String(body.error ?? 'unknown_error').slice(0, 64);
    throw new DeliveryError('delivery_rejected', `slack chat.postMessage: ${err}`, SLACK_RETRYABLE.has(err));
  }
  return body.ts ? { platformMessageId: body.ts } : {};
}

async function sendWhatsApp(m: Outbound, c: SendContext): Promise<Sent> {
  const w = c.config.whatsapp;
  if (!w?.accessToken || !w.phoneNumberId) throw notConfigured('WHATSAPP_ACCESS_TOKEN / WHATSAPP_PHONE_NUMBER_ID');
  const r = await postJson(
    c.fetch,
    `${w.apiBase ?? DEFAULT_API_BASES.whatsapp}/${encodeURIComponent(w.phoneNumberId)}/messages`,
    { messaging_product: 'whatsapp', recipient_type: 'individual', to: needRecipient(m), type: 'text', text: { preview_url: false, body: m.text } },
    { authorization: `Bearer ${w.accessToken}`, ...idem(m) },
    c.timeoutMs,
    'whatsapp messages',
  );
  const err = (r.json as { error?: { code?: number } } | null)?.error;
  failIfHttpError(r.status, 'whatsapp messages', err?.code === undefined ? '' : `code ${err.code}`);
  const id = (r.json as { messages?: { id?: string }[] } | null)?.messages?.[0]?.id;
  return id ? { platformMessageId: id } : {};
}

async function sendTelegram(m: Outbound, c: SendContext): Promise<Sent> {
  const t = c.config.telegram;
  if (!t?.botToken) throw notConfigured('TELEGRAM_BOT_TOKEN');
  const r = await postJson(
    c.fetch,
    `${t.apiBase ?? DEFAULT_API_BASES.telegram}/bot${t.botToken}/sendMessage`,
    { chat_id: needRecipient(m), text: m.text },
    idem(m),
    c.timeoutMs,
    'telegram sendMessage',
  );
  const body = (r.json ?? {}) as { ok?: boolean; error_code?: number; result?: { message_id?: number } };
  failIfHttpError(r.status, 'telegram sendMessage', body.error_code ? `error ${body.error_code}` : '');
  if (body.ok !== true) throw new DeliveryError('delivery_rejected', 'telegram sendMessage: ok=false', false);
  return body.result?.message_id === undefined ? {} : { platformMessageId: String(body.result.message_id) };
}

/** A generic platform: POST the answer to its callback URL, signed like its inbound requests. */
async function sendWebhook(m: Outbound, c: SendContext): Promise<Sent> {
  const url = c.config.webhooks?.callbacks[m.channel];
  const secret = c.config.webhooks?.secrets[m.channel];
  if (!url || !secret || !Object.hasOwn(c.config.webhooks!.callbacks, m.channel)) throw notConfigured(`WEBHOOK_CALLBACKS / WEBHOOK_SECRETS for ${m.channel}`);
  const body = {
    queryId: m.queryId,
    conversationId: m.conversationId,
    channel: m.channel,
    ...(m.recipient ? { recipient: m.recipient } : {}),
    text: m.text,
    language: m.language,
    ...(m.outcome ? { outcome: m.outcome } : {}),
  };
  const ts = String(c.nowSec());
  const raw = JSON.stringify(body);
  const r = await postJson(
    c.fetch,
    url,
    raw,
    { 'x-steward-timestamp': ts, 'x-steward-signature': signWebhook(secret, ts, raw), ...idem(m) },
    c.timeoutMs,
    `${m.channel} callback`,
  );
  failIfHttpError(r.status, `${m.channel} callback`);
  return {};
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
