// In-memory BM25F index over products (name boosted over brand/category over description and
// option values, English and Chinese together), with variant-level filters applied to the
// best-scoring products. 2k products / 50k SKUs: scoring touches only posting lists, so a query
// costs well under a millisecond plus the variant filtering of the top candidates.
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

interface Posting {
  docs: number[];
  tfs: number[];
}

export class SearchIndex {
  readonly products: IndexedProduct[];
  private readonly postings = new Map<string, Posting>();
  private readonly docLen: Float64Array;
  private readonly avgLen: number;
  /** Per-query score accumulator, zeroed again after each query (no allocation per query). */
  private readonly scratch: Float64Array;
  /** Query-word matches on variant options, precomputed: tokenizing per query would dominate. */
  private readonly variantTerms = new Map<IndexedVariant, Set<string>>();

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
      for (const v of p.variants) {
        const set = new Set<string>();
        for (const x of [...Object.values(v.options), ...Object.values(v.options_zh)]) for (const t of cached(x)) set.add(t);
        this.variantTerms.set(v, set);
      }
      const tf = new Map<string, number>();
      const add = (text: string, w: number): void => {
        for (const t of tokenize(text)) tf.set(t, (tf.get(t) ?? 0) + w);
      };
      add(`${p.name} ${p.name_zh}`, FIELD_WEIGHTS.name);
      add(p.brand, FIELD_WEIGHTS.brand);
      add(p.category, FIELD_WEIGHTS.category);
      add(`${p.description} ${p.description_zh}`, FIELD_WEIGHTS.description);
      const optionWords = new Set<string>();
      for (const v of p.variants) {
        for (const x of Object.values(v.options)) optionWords.add(x);
        for (const x of Object.values(v.options_zh)) optionWords.add(x);
      }
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
    const limit = q.limit ?? 5;
    const terms = [...new Set(tokenize(q.query))];
    const n = this.products.length;
    let ranked: Array<[number, number]>;
    if (terms.length === 0) {
      ranked = this.products.map((_, d) => [d, 0]);
    } else {
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
      ranked = seen.map((d) => [d, scores[d]!] as [number, number]);
      for (const d of seen) scores[d] = 0;
      ranked.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
    }
    const hits: SearchHit[] = [];
    let total = 0;
    const filtered = q.min_price !== undefined || q.max_price !== undefined || q.in_stock_only === true || (q.options !== undefined && Object.keys(q.options).length > 0);
    for (const [d, score] of ranked) {
      const product = this.products[d]!;
      if (hits.length < limit) {
        const variants = this.filterVariants(product, q, terms);
        if (variants.length === 0) continue;
        hits.push({ product, score, variants });
        total++;
      } else if (filtered ? product.variants.some((v) => this.passes(v, q)) : product.variants.length > 0) {
        // Past the page only the count matters: an existence check, no sorting.
        total++;
      }
    }
    return { total, hits };
  }

  /** Price range, stock and option filters of one variant (option names and values in any case, values in English or Chinese). */
  private passes(v: IndexedVariant, q: SearchQuery): boolean {
    if (q.min_price !== undefined && v.price < q.min_price) return false;
    if (q.max_price !== undefined && v.price > q.max_price) return false;
    if (q.in_stock_only && (!v.available || v.stock <= 0)) return false;
    if (q.options) {
      for (const [k, raw] of Object.entries(q.options)) {
        const want = raw.toLowerCase();
        const key = Object.keys(v.options).find((o) => o.toLowerCase() === k.toLowerCase());
        if (key === undefined) return false;
        if (v.options[key]?.toLowerCase() !== want && v.options_zh[key]?.toLowerCase() !== want) return false;
      }
    }
    return true;
  }

  private filterVariants(p: IndexedProduct, q: SearchQuery, terms: string[]): IndexedVariant[] {
    const out: Array<[IndexedVariant, number]> = [];
    for (const v of p.variants) {
      if (!this.passes(v, q)) continue;
      let match = 0;
      if (terms.length > 0) {
        const words = this.variantTerms.get(v)!;
        for (const t of terms) if (words.has(t)) match++;
      }
      out.push([v, match]);
    }
    out.sort((x, y) => y[1] - x[1] || Number(y[0].available) - Number(x[0].available) || x[0].price - y[0].price);
    return out.map(([v]) => v);
  }
}
