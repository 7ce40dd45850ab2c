import { describe, expect, it } from 'vitest';
import { encode } from './encode.ts';
import { sectionTokens, SECTION_SEPARATOR } from './prompt-blocks.ts';
import { MEMORY_HEADER } from './memory/render.ts';

// Starts of every kind: the rule splits before letters, digits and punctuation other than "/",
// and must fall back to the joined count before whitespace and "/".
const texts = [
  `${MEMORY_HEADER}\n- order #W2378156 (delivered): item 1008292230 Headphones {"color":"black"}`,
  "[The customer's open requests (not yet resolved), oldest first]\n- return the boots",
  '[Summary]\n\nThe customer asked about #W1.\n\n/ a path',
  'Order #W1 — 已发货。\n\n订单详情：耳机',
  '我想退货',
  '12345 items',
  '"quoted" start',
  "'s and 're",
  '- a list item.\n',
  '.\n\nnext',
  '/slash start',
  ' space start',
  '\nnewline start',
  '\u3000ideographic space start',
  '😀 emoji start',
  'x',
];

describe('sectionTokens', () => {
  for (const model of ['gpt-4o-mini', 'gpt-4']) {
    it(`is exactly the tokens of the blank line and the text joined (${model})`, () => {
      for (const text of texts) expect(sectionTokens(text, model), JSON.stringify(text)).toBe(encode(SECTION_SEPARATOR + text, model).length);
    });
  }

  it('counts an empty section as the blank line alone', () => {
    expect(sectionTokens('', 'gpt-4o-mini')).toBe(encode(SECTION_SEPARATOR, 'gpt-4o-mini').length);
  });
});
