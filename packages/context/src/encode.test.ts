import { createRequire } from 'node:module';
import { describe, it, expect } from 'vitest';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import { countPieces, encode, decode } from './encode.ts';
import { encodingForModel } from './encodings.ts';

// The reference: js-tiktoken's own encoder over the same rank file (tests only; the package reads
// the rank file into its own smaller table).
const require = createRequire(import.meta.url);
const reference = (model: string): Tiktoken => new Tiktoken(require(`js-tiktoken/ranks/${encodingForModel(model)}`) as TiktokenBPE);

const ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'     \n\n\t.,;:!?\'"-_/\\(){}[]#@$%&*+=<>|~`',
  ...'我的订单在哪里退款蓝色鞋子尺码请换货谢谢物流地址，。！？：“”',
  ...'éüñçøåßÆœ',
  '🦊',
  '👍🏽',
  '\u0080',
  '\u00a0',
];

function randomText(seed: number): string {
  let a = seed >>> 0;
  const r = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
  const n = Math.floor(r() * 90);
  return Array.from({ length: n }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join('');
}

describe('encode', () => {
  it('gives exactly the ids of js-tiktoken on 500 random mixed-script texts, both encodings', () => {
    for (const model of ['gpt-4o', 'gpt-4']) {
      const enc = reference(model);
      for (let seed = 1; seed <= 250; seed++) {
        const text = randomText(seed);
        const ids = enc.encode(text, [], []);
        expect(encode(text, model), `${model} seed ${seed}`).toEqual(ids);
        expect(decode(ids, model), `${model} seed ${seed}`).toBe(enc.decode(ids));
      }
    }
  });

  it('counts exactly as many tokens as it encodes, the second time from remembered pieces', () => {
    for (const model of ['gpt-4o', 'gpt-4']) {
      for (let seed = 300; seed <= 400; seed++) {
        const text = randomText(seed);
        const n = encode(text, model).length;
        expect(countPieces(text, model), `${model} seed ${seed}`).toBe(n);
        expect(countPieces(text, model), `${model} seed ${seed}, again`).toBe(n);
      }
    }
  });

  it('decodes special-token ids to their text', () => {
    expect(decode([199999], 'gpt-4o')).toBe('<|endoftext|>');
  });

  it('round-trips through decode and stays fast on a long run of Chinese without punctuation', () => {
    const text = '请帮我查询订单物流'.repeat(700);
    const ids = encode(text, 'gpt-4o');
    expect(decode(ids, 'gpt-4o')).toBe(text);
    expect(ids.length).toBeGreaterThan(1_000);
  });
});
