import type { z } from 'zod';
import type { Language as LanguageSchema } from './language-schema.ts';
export type Language = z.infer<typeof LanguageSchema>;

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;
const LATIN_WORD = /[A-Za-z]{2,}/g;

/**
 * English or Chinese for one customer message. Chinese wins as soon as it carries meaning:
 * a Mandarin sentence often contains an order id or a brand name in Latin letters.
 */
export function detectLanguage(text: string, fallback: Language = 'en'): Language {
  const cjk = text.match(CJK)?.length ?? 0;
  const latin = (text.replace(/#W\d+/g, '').match(LATIN_WORD) ?? []).length;
  if (cjk === 0 && latin === 0) return fallback;
  return cjk >= 2 || cjk > latin ? 'zh' : 'en';
}
