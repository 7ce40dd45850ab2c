import { describe, it, expect } from 'vitest';
import { encode, decode } from './encode.ts';
import { encoderForModel } from './encodings.ts';

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
      const enc = encoderForModel(model);
      for (let seed = 1; seed <= 250; seed++) {
        const text = randomText(seed);
        expect(encode(text, model), `${model} seed ${seed}`).toEqual(enc.encode(text, [], []));
      }
    }
  });

  it('round-trips through decode and stays fast on a long run of Chinese without punctuation', () => {
    const text = '请帮我查询订单物流'.repeat(700);
    const ids = encode(text, 'gpt-4o');
    expect(decode(ids, 'gpt-4o')).toBe(text);
    expect(ids.length).toBeGreaterThan(1_000);
  });
});
