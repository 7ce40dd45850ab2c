// Folding a turn's tool calls, and a query's customer message, into the working memory. Pure:
// the caller loads the stored memory, applies these, and stores the result (the controller's
// observe step for tool results, the reasoning worker for the customer's requests).
import { EXTRACTORS, genericExtractor, parseJson, type ObservedCall } from './extractors.ts';
import { MEMORY_LIMITS, type WorkingMemory } from './working-memory.ts';

/** A new memory with the turn's calls folded in (one reference tick for the whole turn). */
export function recordToolCalls(memory: WorkingMemory, calls: readonly ObservedCall[]): WorkingMemory {
  return foldToolCalls(structuredClone(memory), calls);
}

/**
 * recordToolCalls into `m` itself, for a memory nobody else holds (one parseMemory just made):
 * the copy recordToolCalls takes first was a deep clone of the whole memory on every turn.
 */
export function foldToolCalls(m: WorkingMemory, calls: readonly ObservedCall[]): WorkingMemory {
  m.seq++;
  for (const c of calls) {
    const tick = { ref: m.seq, call: c.callId };
    // An unexpected shape in one result must not cost the rest of the turn its memory.
    try {
      // The confirmation policy's answer means the same for every tool: a write waiting for a yes.
      if (c.result.startsWith(CONFIRMATION_REQUIRED) && !(c.name in EXTRACTORS)) holdForConfirmation(m, c);
      else (EXTRACTORS[c.name] ?? genericExtractor)(m, c, tick);
      // Another pack's write that ran (no error): its held-back proposal is spent.
      if (!(c.name in EXTRACTORS) && !c.result.startsWith(CONFIRMATION_REQUIRED) && !c.result.startsWith('Error')) m.pending = m.pending.filter((p) => p.tool !== c.name);
    } catch {
      continue;
    }
    touchMentioned(m, JSON.stringify(c.arguments), m.seq);
    resolveRequests(m, c);
  }
  return bound(m);
}

/** How the controller's confirmation policy answers a write it held back (TEXTS.confirmationRequired, every language). */
const CONFIRMATION_REQUIRED = 'Confirmation required';

function holdForConfirmation(m: WorkingMemory, c: ObservedCall): void {
  m.pending = [...m.pending.filter((p) => p.tool !== c.name), { tool: c.name, args: c.arguments, ref: m.seq }].slice(-4);
}

const AFFIRMATIONS = ['yes', 'yeah', 'yep', 'y', 'ok', 'okay', 'sure', 'confirm', 'confirmed', 'correct', 'right', 'please', 'please do', 'go ahead', 'do it', 'thanks', 'thank you', 'no', 'nope', '是', '是的', '好', '好的', '确认', '对', '可以', '行', '谢谢', '不用'];

/** Longest first ("please do" before "please"), with the separator each is cut out by: sorted once, not per message. */
const AFFIRMATION_CUTS: readonly { cut: string; by: string }[] = [...AFFIRMATIONS]
  .sort((a, b) => b.length - a.length)
  .map((w) => (/[\u4e00-\u9fff]/.test(w) ? { cut: w, by: ' ' } : { cut: ` ${w} `, by: '  ' }));

/** A reply made only of confirmation words ("yes", "ok, go ahead", "好的，确认") carries no request of its own. */
function isReplyOnly(text: string): boolean {
  let rest = ` ${text.toLowerCase().replace(/[\s\p{P}]+/gu, ' ').trim()} `;
  for (const { cut, by } of AFFIRMATION_CUTS) rest = rest.split(cut).join(by);
  return rest.trim() === '';
}

const REQUEST_MAX_CHARS = 2_000;

/** Record the customer's message of a query as an open request unless it only answers a question. */
export function recordRequest(memory: WorkingMemory, queryId: string, text: string): WorkingMemory {
  const t = text.trim();
  if (!t || isReplyOnly(t) || memory.requests.some((r) => r.id === queryId)) return memory;
  const m = copyForRequest(memory);
  // A question of an earlier query that asked for no change was answered when that query ended:
  // it leaves the open requests (the summary keeps it). One that asked for a change stays open
  // until a write resolves it.
  for (const r of m.requests) if (!r.resolved && !asksForWrite(r.text)) r.resolved = true;
  touchMentioned(m, t, m.seq);
  // Stored whole up to a generous bound: whether it is resolved depends on every order it names
  // (a τ-bench task's opening message runs to 1,400 characters); the prompt's requests tier has
  // its own token budget.
  m.requests.push({ id: queryId, text: t.length > REQUEST_MAX_CHARS ? `${t.slice(0, REQUEST_MAX_CHARS)}…` : t, ref: m.seq, resolved: false });
  return bound(m);
}

/**
 * A copy of `memory` that recordRequest may change without touching `memory`: new lists, and
 * new entries where it writes a field (an order's or product's `ref`, a request's `resolved`);
 * the entries' insides (items, variants, options) and the customer, facts, pending writes and
 * done writes are shared, which nothing changes in place (the upserts build new entries). The
 * same JSON as the deep structuredClone it replaces, which copied every variant of every product
 * on each query's first turn (~0.8 % of the reasoning-worker's CPU, issue 17).
 */
function copyForRequest(memory: WorkingMemory): WorkingMemory {
  return {
    ...memory,
    orders: memory.orders.map((o) => ({ ...o })),
    products: memory.products.map((p) => ({ ...p })),
    facts: [...memory.facts],
    pending: [...memory.pending],
    done: [...memory.done],
    requests: memory.requests.map((r) => ({ ...r })),
  };
}

/** Entities named in a text (an argument list, a customer message) count as referenced now. */
export function touchMentioned(m: WorkingMemory, text: string, ref: number): void {
  for (const o of m.orders) if (text.includes(o.order_id)) o.ref = Math.max(o.ref, ref);
  for (const p of m.products) {
    if (text.includes(p.product_id) || p.variants?.some((v) => text.includes(v.item_id))) p.ref = Math.max(p.ref, ref);
  }
}

const VERBS: Record<string, RegExp> = {
  cancel_pending_order: /cancel|取消/i,
  modify_pending_order_items: /change|modify|switch|swap|upgrade|update|修改|更改|改/i,
  modify_pending_order_address: /address|地址/i,
  modify_pending_order_payment: /pay|card|gift|paypal|支付|付款/i,
  return_delivered_order_items: /return|refund|send .*back|退/i,
  process_return: /return|refund|send .*back|退/i,
  exchange_delivered_order_items: /exchange|swap|replace|换/i,
  modify_user_address: /address|地址/i,
};
const ORDER_IDS = /#W\d{5,}/g;

/** Whether a customer message asks for a change (any write's verb). */
export function asksForWrite(text: string): boolean {
  return Object.values(VERBS).some((v) => v.test(text));
}

/**
 * A request is resolved by a successful write it asked for: every order it names written to,
 * or, when it names none, a write of the kind it asks for. Unresolved ones stay in the prompt.
 */
function resolveRequests(m: WorkingMemory, c: ObservedCall): void {
  const verb = VERBS[c.name];
  if (!verb || typeof parseJson(c.result) !== 'object') return;
  const written = new Set(m.done.filter((d) => d.text.includes(' done')).map((d) => d.key.split(':').slice(1).join(':')));
  for (const r of m.requests) {
    if (r.resolved) continue;
    const named = r.text.match(ORDER_IDS) ?? [];
    r.resolved = named.length > 0 ? named.every((id) => written.has(id)) : verb.test(r.text);
  }
}

/** Keep the stored memory bounded: the least recently referenced go first, never a pending write's entities. */
function bound(m: WorkingMemory): WorkingMemory {
  const held = JSON.stringify(m.pending.map((p) => p.args));
  const trim = <T extends { ref: number }>(list: T[], max: number, keep: (x: T) => boolean): T[] => {
    if (list.length <= max) return list;
    const drop = new Set(
      list
        .filter((x) => !keep(x))
        .sort((a, b) => a.ref - b.ref)
        .slice(0, list.length - max),
    );
    return list.filter((x) => !drop.has(x));
  };
  m.orders = trim(m.orders, MEMORY_LIMITS.orders, (o) => held.includes(o.order_id));
  m.products = trim(m.products, MEMORY_LIMITS.products, (p) => held.includes(p.product_id) || !!p.variants?.some((v) => held.includes(v.item_id)));
  const open = m.requests.filter((r) => !r.resolved);
  m.requests = [...m.requests.filter((r) => r.resolved).slice(-2), ...open].sort((a, b) => a.ref - b.ref);
  if (m.requests.length > MEMORY_LIMITS.requests) {
    // The first request of the conversation stays: it is usually the whole task.
    m.requests = [m.requests[0]!, ...m.requests.slice(-(MEMORY_LIMITS.requests - 1))];
  }
  return m;
}
