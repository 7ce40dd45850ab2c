// Every sentence steward writes itself, in both languages: a Mandarin query always gets a
// Mandarin answer, fallbacks included.
import type { Language } from './language.ts';

type Bilingual = Record<Language, string>;

export const TEXTS = {
  fallback: {
    en: "I'm sorry, I couldn't complete that request. A member of our team can take over — just reply \"human\" and I'll hand you over.",
    zh: '抱歉，我暂时无法完成这个请求。如需人工客服，请回复“人工”，我会为您转接。',
  },
  fallbackDeadline: {
    en: "I'm sorry, this is taking longer than it should. Please try again in a moment, or reply \"human\" to talk to our team.",
    zh: '抱歉，处理时间超出预期。请稍后再试，或回复“人工”转接人工客服。',
  },
  fallbackLoop: {
    en: "I'm sorry, I'm going around in circles on this one. I can hand you over to a member of our team — reply \"human\" to continue.",
    zh: '抱歉，我在这个问题上没有取得进展。我可以为您转接人工客服，请回复“人工”继续。',
  },
  fallbackUnavailable: {
    en: "I'm sorry, our assistant is temporarily unavailable. Please try again shortly.",
    zh: '抱歉，智能客服暂时不可用，请稍后再试。',
  },
  handoffNotice: {
    en: "I've passed your conversation to a member of our support team. They'll pick it up from here with everything you've told me.",
    zh: '您的对话已转交给人工客服，他们会根据您提供的全部信息继续为您服务。',
  },
  /** Sent once to a customer whose handoff nobody claimed within the SLA. */
  handoffWaiting: {
    en: 'Thank you for waiting. A person from our support team will be with you shortly.',
    zh: '感谢您的耐心等待，人工客服马上就来为您服务。',
  },
  confirmationRequired: {
    en: 'Confirmation required: this action changes the order. Before calling this tool again, list its exact details (order id, items, payment method) to the customer and ask for an explicit "yes". Call the tool only after the customer confirms.',
    zh: 'Confirmation required: this action changes the order. Before calling this tool again, list its exact details (order id, items, payment method) to the customer in Chinese and ask for explicit confirmation (是/确认). Call the tool only after the customer confirms.',
  },
  unknownTool: {
    en: 'Unknown tool',
    zh: 'Unknown tool',
  },
} satisfies Record<string, Bilingual>;

export type TextKey = keyof typeof TEXTS;

export function text(key: TextKey, lang: Language): string {
  return TEXTS[key][lang];
}
