// Deterministic mixed English/Chinese queries for the search benchmark, built from the
// generator's own vocabulary so every query has realistic hits (and some have none).
import { Rng } from '../catalog/rng.ts';
import { BRANDS, CATEGORIES, MODIFIERS } from '../catalog/vocabulary.ts';
import type { SearchQuery } from './search-index.ts';

export function benchQueries(count: number, seed = 1): SearchQuery[] {
  const rng = new Rng(seed);
  const kinds = CATEGORIES.flatMap((c) => c.kinds);
  const out: SearchQuery[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rng.pick(kinds);
    const dim = rng.pick(kind.dims);
    const value = rng.pick(dim.values);
    const zh = i % 2 === 1;
    let query: string;
    switch (rng.int(0, 4)) {
      case 0:
        query = zh ? kind.zh : kind.en.toLowerCase();
        break;
      case 1:
        query = zh ? `${value[1]} ${kind.zh}` : `${value[0]} ${kind.en.toLowerCase()}`;
        break;
      case 2: {
        const m = rng.pick(MODIFIERS);
        query = zh ? `${m[1]}${kind.zh}` : `${m[0].toLowerCase()} ${kind.en.toLowerCase()}`;
        break;
      }
      case 3: {
        const b = rng.pick(BRANDS);
        query = zh ? `${b[1]} ${kind.zh}` : `${b[0]} ${kind.en}`;
        break;
      }
      default:
        query = zh ? `我想买一个${value[1]}的${kind.zh}` : `looking for a ${value[0]} ${kind.en.toLowerCase()} as a gift`;
    }
    const q: SearchQuery = { query, limit: 5 };
    if (rng.chance(0.3)) q.max_price = kind.price[0] + rng.next() * (kind.price[1] - kind.price[0]);
    if (rng.chance(0.2)) q.options = { [dim.name]: zh ? value[1] : value[0] };
    if (rng.chance(0.3)) q.in_stock_only = true;
    out.push(q);
  }
  return out;
}
