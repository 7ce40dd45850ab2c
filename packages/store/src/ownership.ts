import { ID_PATTERN } from '@steward/core';

// The ownership model in one place (docs/adr/0013-ownership-model.md): who may write into a
// conversation, name a customer or a channel, and read a query. The atomic part (a conversation
// belongs to the principal that created it and to at most one customer) is enforced again
// inside the ACCEPT script, so two racing principals cannot both create the same conversation.

/**
 * - `integration`: a server-side integration holding an API key; it authenticates its own
 *   customers, so it may name a `customerId`.
 * - `platform`: a messaging platform adapter (Slack, Telegram, WhatsApp, a signed webhook); the
 *   sender is the platform user in the signed payload.
 * - `web`: the browser chat; its key is public, so it may only chat as a new, unverified customer.
 * - `operator`: support staff; reads every query and trace, lists handoffs, never posts.
 */
export type PrincipalKind = 'integration' | 'platform' | 'web' | 'operator';

export interface Principal {
  /** Stable name stored as the owner of conversations and queries (no ':'). */
  id: string;
  kind: PrincipalKind;
  /** Channels this principal may name in a message. */
  channels: ReadonlySet<string>;
}

export type Refusal = { ok: false; status: 400 | 403; code: string; message: string };
export type Verdict = { ok: true } | Refusal;

// The documented id alphabet is defined once, beside the API schema that applies it.
export { ID_PATTERN };

/**
 * Conversation ids the platform adapters derive from signed payloads. Nobody else may use
 * them: a predictable id (`tg.<chat>.<user>`) claimed first by another key would lock the
 * platform user out of their own conversation.
 */
export const PLATFORM_CONVERSATION_PREFIXES: Readonly<Record<string, string>> = {
  'slack.': 'slack',
  'tg.': 'telegram',
  'wa.': 'whatsapp',
};

/** Channels whose answers are pushed through the shop's platform credentials. */
export const PLATFORM_CHANNELS: ReadonlySet<string> = new Set(['slack', 'telegram', 'whatsapp']);

export const principals = {
  web: (): Principal => ({ id: 'web', kind: 'web', channels: new Set(['web']) }),
  operator: (): Principal => ({ id: 'operator', kind: 'operator', channels: new Set() }),
  /** An unbound API key: the `api` channel only (answers read by GET / SSE). */
  api: (): Principal => ({ id: 'api', kind: 'integration', channels: new Set(['api']) }),
  /** A key bound to one channel, or the adapter of that platform: the same principal. */
  channel: (channel: string, kind: 'integration' | 'platform' = 'integration'): Principal => ({
    id: channel,
    kind,
    channels: new Set([channel]),
  }),
};

export interface MessageClaims {
  channel: string;
  conversationId?: string | undefined;
  customerId?: string | undefined;
  recipient?: string | undefined;
}

/**
 * Whether this principal may send this message at all (before anything is written). `viaApi`:
 * the message came through `POST /v1/messages`, where a recipient is never accepted — it is
 * derived by the platform adapters from the verified payload.
 */
export function checkMessage(p: Principal, m: MessageClaims, o: { viaApi: boolean }): Verdict {
  if (p.kind === 'operator')
    return refuse(403, 'operator_cannot_post', 'operator keys read and hand off; they do not post messages');
  if (!p.channels.has(m.channel)) {
    return refuse(
      403,
      'channel_forbidden',
      `this key may only post to channel ${[...p.channels].join(', ')}`,
    );
  }
  if (o.viaApi && m.recipient !== undefined) {
    return refuse(
      400,
      'recipient_forbidden',
      'the recipient is taken from the platform, never from an API caller',
    );
  }
  if (m.customerId !== undefined && p.kind === 'web') {
    return refuse(
      403,
      'customer_forbidden',
      'the web chat cannot name a customer; verify identity in the conversation',
    );
  }
  if (m.conversationId !== undefined) {
    if (!ID_PATTERN.test(m.conversationId))
      return refuse(400, 'invalid_conversation_id', 'conversation ids are 1–128 of A-Z a-z 0-9 _ . @ # -');
    const reservedFor = platformOwnerOf(m.conversationId);
    if (reservedFor !== null && reservedFor !== p.id) {
      return refuse(403, 'conversation_forbidden', 'this conversation belongs to another caller');
    }
  }
  if (m.customerId !== undefined && !ID_PATTERN.test(m.customerId)) {
    return refuse(400, 'invalid_customer_id', 'customer ids are 1–128 of A-Z a-z 0-9 _ . @ # -');
  }
  return { ok: true };
}

/** Which platform principal a conversation id is reserved for, if any. */
export function platformOwnerOf(conversationId: string): string | null {
  for (const [prefix, owner] of Object.entries(PLATFORM_CONVERSATION_PREFIXES))
    if (conversationId.startsWith(prefix)) return owner;
  return null;
}

/**
 * Whether a principal may read a query (its record, trace, event stream). Anything else is
 * answered as if the query did not exist, so ids of other callers cannot be probed.
 */
export function canRead(p: Principal, record: { principal?: string | undefined }): boolean {
  if (p.kind === 'operator') return true;
  return record.principal !== undefined && record.principal === p.id;
}

function refuse(status: 400 | 403, code: string, message: string): Refusal {
  return { ok: false, status, code, message };
}
