// The simulated policy model: one deterministic decision per chat-completions call, from the
// conversation alone. It is a test double with keyword rules, not a language model.
import { DEFAULTS } from '@steward/core';
import { KNOWN_TOOLS, type Conversation } from '../conversation.ts';
import { detectIntent, findEmail, findNameZip, isAffirmative, isNegative, itemIds, orderIds, type Intent } from '../intents.ts';
import { R } from '../replies.ts';
import { parseConfirmationRequest } from './confirmation.ts';
import { answerFromFacts } from './facts.ts';
import { namedOrderId } from './orders.ts';
import { productFlow, stockFlow } from './products.ts';
import { quoteFlow } from './shipping.ts';
import { statusFlow } from './status.ts';
import { answer, call, findStep, type Decision, type PolicyContext } from './types.ts';
import { confirmedWrite, writeFlow } from './writes.ts';

export const MARKERS = {
  loop: '#sim:loop',
  badTool: '#sim:bad-tool',
  typoTool: '#sim:typo-tool',
  malformed: '#sim:malformed',
  text: '#sim:text',
} as const;

/** The fixed call `#sim:loop` repeats forever. */
export const LOOP_CALL = { name: 'get_order_details', args: { order_id: '#W0000000' } } as const;
export const BAD_TOOL = 'teleport_parcel';
export const TYPO_TOOL = 'get_ordr_details';

const LOOK_BACK = 3;
const known = new Set<string>(KNOWN_TOOLS);

export function decide(conv: Conversation, tools: Set<string>): Decision {
  const has = (m: string): boolean => conv.lastUser.includes(m);
  if (has(MARKERS.loop)) return call(LOOP_CALL.name, { ...LOOP_CALL.args }, 'Check that order again.');
  const clean = conv.lastUser.replace(/#sim:[\w-]+/g, ' ').trim();
  const { intent, focus } = resolveIntent(conv, clean);
  const ctx: PolicyContext = { ...conv, lastUser: clean, tools, focus };
  if (has(MARKERS.badTool) && !ctx.steps.some((s) => s.rawName === BAD_TOOL)) {
    return call(BAD_TOOL, { order_id: namedOrderId(ctx) ?? '#W0000000' }, 'Send the parcel where it needs to go.');
  }
  if (has(MARKERS.typoTool) && !ctx.steps.some((s) => s.name === 'get_order_details')) {
    return call(TYPO_TOOL, { order_id: namedOrderId(ctx) ?? '#W0000000' }, 'Read the order.');
  }
  let d = ctx.loopWarning ? answerFromFacts(ctx, 'Loop warning received') : route(ctx, intent);
  if (d.kind === 'call' && d.calls.some((c) => !tools.has(c.name))) d = answerFromFacts(ctx, 'A needed tool is not offered');
  // After a call to a tool that does not exist, own the mistake in the answer.
  if (d.kind === 'answer' && ctx.steps.some((s) => !known.has(s.name))) d = { ...d, text: R.toolHiccup(ctx.language) + d.text };
  return d;
}

function route(ctx: PolicyContext, intent: Intent): Decision {
  const confirm = parseConfirmationRequest(ctx.previousAnswer);
  if (confirm && isNegative(ctx.lastUser)) return answer(R.declined(ctx.language), 'The customer declined the change.');
  if (confirm && isAffirmative(ctx.lastUser)) return confirmedWrite(ctx, confirm);
  switch (intent) {
    case 'human':
      return handoff(ctx);
    case 'cancel':
    case 'return':
    case 'exchange':
      return writeFlow(ctx, intent);
    case 'shipping_quote':
      return quoteFlow(ctx);
    case 'status':
      return statusFlow(ctx);
    case 'stock':
      return stockFlow(ctx);
    case 'product':
      return productFlow(ctx);
    case 'none':
      return answer(R.capabilities(ctx.language), 'No request I recognise: say what I can do.');
  }
}

/**
 * The current message's intent, or, when it only answers our question (an email, an order id,
 * "the red one"), the intent of the message it continues.
 */
function resolveIntent(conv: Conversation, text: string): { intent: Intent; focus: string } {
  const own = detectIntent(text);
  if (own !== 'none') return { intent: own, focus: text };
  const hasEntity = !!(findEmail(text) || findNameZip(text) || orderIds(text).length || itemIds(text).length);
  // Our last answer asked for something (not the generic "what can I do for you?").
  const prev = conv.previousAnswer?.trim() ?? '';
  const weAsked = /[?？]/.test(prev) && prev !== R.capabilities('en') && prev !== R.capabilities('zh');
  if (hasEntity || weAsked) {
    for (const earlier of conv.earlierUsers.slice(0, LOOK_BACK)) {
      const i = detectIntent(earlier);
      if (i !== 'none' && i !== 'human') return { intent: i, focus: `${text}\n${earlier}` };
    }
  }
  return { intent: orderIds(text).length ? 'status' : 'none', focus: text };
}

function handoff(ctx: PolicyContext): Decision {
  if (!ctx.tools.has('transfer_to_human_agents')) return answer(`${R.noHandoff(ctx.language)} ${R.capabilities(ctx.language)}`, 'No handoff tool offered.');
  if (findStep(ctx, 'transfer_to_human_agents')) return answer(R.handoff(ctx.language), 'Transferred: tell the customer.');
  const order = namedOrderId(ctx);
  const request = ctx.earlierUsers[0] ? ` Earlier request: "${clip(ctx.earlierUsers[0])}".` : '';
  const summary = `Customer asks for a human agent${order ? ` about order ${order}` : ''}. Message: "${clip(ctx.lastUser)}".${request}`;
  return call('transfer_to_human_agents', { summary }, 'The customer wants a person: transfer with a short summary.');
}

const clip = (s: string): string => (s.length > 160 ? `${s.slice(0, 157)}…` : s);

/** Sim model name, advertised by /v1/models. */
export const SIM_MODEL = DEFAULTS.llmModel;
