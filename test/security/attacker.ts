// What the adversarial suite drives: the real HTTP API with each kind of key, and the real
// platform adapters with requests signed as each platform signs them.
import * as channels from '@steward/channels';

export { channels };

export const KEYS = {
  /** An integration's key (the `api` principal): may name its own authenticated customers. */
  api: 'sec-api-key',
  /** The web chat's key: public, every browser receives it from GET /chat/config. */
  web: 'sec-web-key',
  /** A key bound to the Telegram platform (the same principal as the Telegram adapter). */
  telegram: 'sec-telegram-key',
  /** The operator credential (ADMIN_TOKEN). */
  operator: 'sec-operator-token',
} as const;

export const API_KEYS = `${KEYS.api},web=${KEYS.web},telegram=${KEYS.telegram}`;

export const SECRETS = {
  telegram: 'sec-tg-secret',
  slack: 'sec-slack-signing',
  whatsapp: 'sec-meta-app-secret',
  crm: 'sec-crm-secret',
} as const;

export function channelsConfig(platformUrl: string): channels.ChannelsConfig {
  return {
    telegram: { secretToken: SECRETS.telegram, botToken: '7:SEC', apiBase: platformUrl },
    slack: { signingSecret: SECRETS.slack, botToken: 'xoxb-sec', apiBase: platformUrl },
    whatsapp: {
      appSecret: SECRETS.whatsapp,
      accessToken: 'wa-sec',
      phoneNumberId: 'PN1',
      apiBase: platformUrl,
    },
    webhooks: { secrets: { crm: SECRETS.crm }, callbacks: {} },
    toleranceSec: 300,
  };
}

export interface Reply {
  status: number;
  body: { error?: { code: string }; [k: string]: unknown };
}

/** One request; the reply's JSON body (or its text, when it is not JSON). */
export async function request(url: string, init: RequestInit): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: Reply['body'] = {};
  try {
    body = JSON.parse(text) as Reply['body'];
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

export const api = {
  post: (base: string, key: string, body: Record<string, unknown>): Promise<Reply> =>
    request(`${base}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    }),
  get: (base: string, key: string, path: string): Promise<Reply> =>
    request(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } }),
};

let updateId = 900_000 + Math.floor(Math.random() * 1_000_000);

/** A Telegram update from `user` in `chat`, with the webhook's secret token. */
export function telegramUpdate(
  base: string,
  o: { chat: number; user: number; text: string; updateId?: number },
): Promise<Reply> {
  const id = o.updateId ?? updateId++;
  const raw = JSON.stringify({
    update_id: id,
    message: {
      message_id: id,
      from: { id: o.user, is_bot: false, first_name: 'T' },
      chat: { id: o.chat, type: o.chat < 0 ? 'group' : 'private' },
      date: Math.floor(Date.now() / 1000),
      text: o.text,
    },
  });
  return request(`${base}/v1/channels/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRETS.telegram },
    body: raw,
  });
}

let slackEvent = 1;

/** A Slack message event from `user` in `channel`, signed with the signing secret. */
export function slackMessage(
  base: string,
  o: { channel: string; user: string; text: string; thread?: string },
): Promise<Reply> {
  const raw = JSON.stringify({
    type: 'event_callback',
    team_id: 'TSEC',
    event_id: `EvSEC${Date.now()}${slackEvent++}`,
    event: {
      type: 'message',
      channel: o.channel,
      user: o.user,
      text: o.text,
      ts: `${Date.now() / 1000}`,
      ...(o.thread ? { thread_ts: o.thread } : {}),
    },
  });
  const ts = String(Math.floor(Date.now() / 1000));
  return request(`${base}/v1/channels/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': channels.signSlack(SECRETS.slack, ts, Buffer.from(raw)),
    },
    body: raw,
  });
}

/** A signed message of the generic `crm` webhook channel. */
export function crmMessage(base: string, body: Record<string, unknown>): Promise<Reply> {
  const raw = JSON.stringify(body);
  const ts = String(Math.floor(Date.now() / 1000));
  return request(`${base}/v1/channels/webhook/crm`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-steward-timestamp': ts,
      'x-steward-signature': channels.signWebhook(SECRETS.crm, ts, raw),
    },
    body: raw,
  });
}
