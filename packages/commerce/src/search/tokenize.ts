// Tokens for the catalog index: English words (lower-cased, light plural stemming) and Chinese
// words from jieba's search mode, so "耳机" matches "无线耳机" and "earbuds" matches "earbud".
//
// jieba (a native module) and its dictionary are loaded on the first segmentation, not on import:
// the dictionary module reads ~11 MB of files when imported, and every worker imports this package
// for its tool definitions without ever searching the catalog.
import { createRequire } from 'node:module';
import type { Jieba } from '@node-rs/jieba';

const require = createRequire(import.meta.url);
let jieba: Jieba | undefined;
function segmenter(): Jieba {
  if (!jieba) {
    const { Jieba: J } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
    const { dict } = require('@node-rs/jieba/dict.js') as typeof import('@node-rs/jieba/dict.js');
    jieba = J.withDict(dict);
  }
  return jieba;
}

const STOP = new Set(['a', 'an', 'the', 'for', 'and', 'or', 'with', 'of', 'in', 'to', 'on', 'my', 'i', 'me', 'is', 'it', 'some', 'any', 'as', 'looking', 'want', 'need', 'buy']);
const ZH_STOP = new Set(['的', '了', '和', '与', '是', '我', '要', '想', '买', '一个', '一款', '有', '吗', '呢', '请', '个', '款']);
const CJK = /[\u3400-\u9fff\uf900-\ufaff]+/g;

export function stem(w: string): string {
  if (w.length > 4 && w.endsWith('ies')) return w.slice(0, -3) + 'y';
  if (w.length > 3 && w.endsWith('es') && /(ch|sh|x|ss)es$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

export function tokenize(text: string): string[] {
  const out: string[] = [];
  const lower = text.toLowerCase();
  for (const w of lower.replace(CJK, ' ').split(/[^a-z0-9]+/)) {
    if (w.length === 0 || STOP.has(w)) continue;
    out.push(stem(w));
  }
  for (const run of lower.match(CJK) ?? []) {
    for (const w of segmenter().cutForSearch(run, true)) {
      const t = w.trim();
      if (t.length > 0 && !ZH_STOP.has(t)) out.push(t);
    }
  }
  return out;
}
