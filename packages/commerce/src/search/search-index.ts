// In-memory BM25F index over products (name boosted over brand/category over description and
// option values, English and Chinese together), with variant-level filters applied to the
// best-scoring products. Option filters go through a per-product "name=value" → variants map,
// so a filter that most products cannot satisfy costs one lookup per product, not per SKU.
import { tokenize } from './tokenize.ts';

export interface IndexedVariant {
  item_id: string;
  price: number;
  available: boolean;
  stock: number;
  options: Record<string, string>;
  options_zh: Record<string, string>;
}

export interface IndexedProduct {
  product_id: string;
  name: string;
  name_zh: string;
  brand: string;
  category: string;
  description: string;
  description_zh: string;
  variants: IndexedVariant[];
}

export interface SearchQuery {
  query: string;
  min_price?: number | undefined;
  max_price?: number | undefined;
  options?: Record<string, string> | undefined;
  in_stock_only?: boolean | undefined;
  limit?: number | undefined;
}

export interface SearchHit {
  product: IndexedProduct;
  score: number;
  /** Variants passing the filters, those matching query words first. */
  variants: IndexedVariant[];
}

const FIELD_WEIGHTS = { name: 3, brand: 2, category: 2, description: 1, options: 1 } as const;
const K1 = 1.2;
const B = 0.75;
const DEFAULT_LIMIT = 5;

interface Posting {
  docs: number[];
  tfs: number[];
}

const pairKey = (name: string, value: string): string => `${name.toLowerCase()}=${value.toLowerCase()}`;

export class SearchIndex {
  readonly products: IndexedProduct[];
  private readonly postings = new Map<string, Posting>();
  private readonly docLen: Float64Array;
  private readonly avgLen: number;
  /** Per-query score accumulator, zeroed again after each query (no allocation per query). */
  private readonly scratch: Float64Array;
  /** Per product: "name=value" (English and Chinese values) → indexes of its variants. */
  private readonly pairIndex: Array<Map<string, number[]>> = [];
  /** Per product, per variant: query words its option values contain (to list matching variants first). */
  private readonly variantTerms: Array<Array<Set<string>>> = [];

  constructor(products: IndexedProduct[]) {
    this.products = products;
    this.docLen = new Float64Array(products.length);
    this.scratch = new Float64Array(products.length);
    const memo = new Map<string, string[]>();
    const cached = (text: string): string[] => {
      let t = memo.get(text);
      if (!t) {
        t = tokenize(text);
        memo.set(text, t);
      }
      return t;
    };
    products.forEach((p, d) => {
      const pairs = new Map<string, number[]>();
      const terms: Array<Set<string>> = [];
      const optionWords = new Set<string>();
      p.variants.forEach((v, i) => {
        const set = new Set<string>();
        for (const opts of [v.options, v.options_zh]) {
          for (const k in opts) {
            const x = opts[k]!;
            optionWords.add(x);
            for (const t of cached(x)) set.add(t);
            const key = pairKey(k, x);
            const list = pairs.get(key);
            if (!list) pairs.set(key, [i]);
            else if (list[list.length - 1] !== i) list.push(i);
          }
        }
        terms.push(set);
      });
      this.pairIndex.push(pairs);
      this.variantTerms.push(terms);
      const tf = new Map<string, number>();
      const add = (text: string, w: number): void => {
        for (const t of cached(text)) tf.set(t, (tf.get(t) ?? 0) + w);
      };
      add(`${p.name} ${p.name_zh}`, FIELD_WEIGHTS.name);
      add(p.brand, FIELD_WEIGHTS.brand);
      add(p.category, FIELD_WEIGHTS.category);
      add(`${p.description} ${p.description_zh}`, FIELD_WEIGHTS.description);
      add([...optionWords].join(' '), FIELD_WEIGHTS.options);
      let len = 0;
      for (const [t, f] of tf) {
        let post = this.postings.get(t);
        if (!post) {
          post = { docs: [], tfs: [] };
          this.postings.set(t, post);
        }
        post.docs.push(d);
        post.tfs.push(f);
        len += f;
      }
      this.docLen[d] = len;
    });
    this.avgLen = products.length === 0 ? 1 : this.docLen.reduce((s, x) => s + x, 0) / products.length;
  }

  get skuCount(): number {
    return this.products.reduce((s, p) => s + p.variants.length, 0);
  }

  search(q: SearchQuery): { total: number; hits: SearchHit[] } {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const terms = [...new Set(tokenize(q.query))];
    const pairs = Object.entries(q.options ?? {}).map(([k, v]) => pairKey(k, v));
    const ranked = this.rank(terms);
    const hits: SearchHit[] = [];
    let total = 0;
    for (let r = 0; r < ranked.docs.length; r++) {
      const d = ranked.docs[r]!;
      const candidates = this.candidates(d, pairs);
      if (candidates !== null && candidates.length === 0) continue;
      if (hits.length < limit) {
        const variants = this.matchingVariants(d, candidates, q, terms);
        if (variants.length === 0) continue;
        hits.push({ product: this.products[d]!, score: ranked.scores[r]!, variants });
        total++;
      } else if (this.anyVariantPasses(d, candidates, q)) {
        // Past the page only the count matters: an existence check, no sorting.
        total++;
      }
    }
    return { total, hits };
  }

  /** Products with a positive score, best first (all products, in order, for an empty query). */
  private rank(terms: string[]): { docs: number[]; scores: number[] } {
    const n = this.products.length;
    if (terms.length === 0) return { docs: this.products.map((_, d) => d), scores: new Array<number>(n).fill(0) };
    const scores = this.scratch;
    const seen: number[] = [];
    for (const t of terms) {
      const post = this.postings.get(t);
      if (!post) continue;
      const idf = Math.log(1 + (n - post.docs.length + 0.5) / (post.docs.length + 0.5));
      for (let i = 0; i < post.docs.length; i++) {
        const d = post.docs[i]!;
        const tf = post.tfs[i]!;
        if (scores[d] === 0) seen.push(d);
        scores[d]! += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * this.docLen[d]!) / this.avgLen));
      }
    }
    seen.sort((x, y) => scores[y]! - scores[x]! || x - y);
    const out = seen.map((d) => scores[d]!);
    for (const d of seen) scores[d] = 0;
    return { docs: seen, scores: out };
  }

  /** Variant indexes satisfying every option filter; null when there is no option filter. */
  private candidates(d: number, pairs: readonly string[]): number[] | null {
    if (pairs.length === 0) return null;
    const index = this.pairIndex[d]!;
    let out: number[] | undefined;
    for (const p of pairs) {
      const list = index.get(p);
      if (!list) return [];
      out = out === undefined ? list : out.filter((i) => list.includes(i));
      if (out.length === 0) return out;
    }
    return out ?? [];
  }

  private passes(v: IndexedVariant, q: SearchQuery): boolean {
    if (q.min_price !== undefined && v.price < q.min_price) return false;
    if (q.max_price !== undefined && v.price > q.max_price) return false;
    if (q.in_stock_only && (!v.available || v.stock <= 0)) return false;
    return true;
  }

  private anyVariantPasses(d: number, candidates: number[] | null, q: SearchQuery): boolean {
    const vs = this.products[d]!.variants;
    if (candidates === null) return vs.some((v) => this.passes(v, q));
    return candidates.some((i) => this.passes(vs[i]!, q));
  }

  private matchingVariants(d: number, candidates: number[] | null, q: SearchQuery, terms: string[]): IndexedVariant[] {
    const vs = this.products[d]!.variants;
    const termSets = this.variantTerms[d]!;
    const out: Array<[IndexedVariant, number]> = [];
    for (const i of candidates ?? vs.keys()) {
      const v = vs[i]!;
      if (!this.passes(v, q)) continue;
      let match = 0;
      for (const t of terms) if (termSets[i]!.has(t)) match++;
      out.push([v, match]);
    }
    out.sort((x, y) => y[1] - x[1] || Number(y[0].available) - Number(x[0].available) || x[0].price - y[0].price);
    return out.map(([v]) => v);
  }
}
