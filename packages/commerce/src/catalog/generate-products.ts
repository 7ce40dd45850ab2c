// Generated products: each is a brand + modifier + kind + model code, with variants drawn from
// the cartesian product of the kind's option dimensions.
import type { Product, ProductExt, Variant } from '../engine/types.ts';
import type { Rng } from './rng.ts';
import { BRANDS, CATEGORIES, FEATURES, MODIFIERS, type Category, type Kind } from './vocabulary.ts';

/** Variants per product: at least this on average, so 2,000 products give ≥ 50,000 SKUs. */
export const MIN_AVG_VARIANTS = 25;
const MAX_VARIANTS = 40;

export interface GeneratedProduct {
  product: Product;
  ext: ProductExt;
  kind: Kind;
  category: Category;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** `want` distinct option combinations of a kind, drawn as mixed-radix numbers (no full cartesian product in memory). */
function drawCombos(rng: Rng, kind: Kind, want: number): number[][] {
  const sizes = kind.dims.map((d) => d.values.length);
  const space = sizes.reduce((a, b) => a * b, 1);
  const picked = new Set<number>();
  const out: number[][] = [];
  while (out.length < Math.min(want, space)) {
    const n = Math.floor(rng.next() * space);
    if (picked.has(n)) continue;
    picked.add(n);
    const combo: number[] = [];
    let rest = n;
    for (const size of sizes) {
      combo.push(rest % size);
      rest = Math.floor(rest / size);
    }
    out.push(combo);
  }
  return out;
}

export function generateProducts(rng: Rng, count: number, newId: () => string, onEach?: (i: number) => void): GeneratedProduct[] {
  const kinds = CATEGORIES.flatMap((category) => category.kinds.map((kind) => ({ category, kind })));
  const usedNames = new Set<string>();
  const out: GeneratedProduct[] = [];
  let variantsSoFar = 0;
  for (let i = 0; i < count; i++) {
    const { category, kind } = kinds[i % kinds.length]!;
    const brand = rng.pick(BRANDS);
    const mod = rng.pick(MODIFIERS);
    let model = '';
    let name = '';
    do {
      model = `${String.fromCharCode(65 + rng.int(0, 25))}${rng.int(1, 99)}`;
      name = `${brand[0]} ${mod[0]} ${kind.en} ${model}`;
    } while (usedNames.has(name));
    usedNames.add(name);
    // Keep the running average at or above MIN_AVG_VARIANTS whatever the seed.
    const owed = MIN_AVG_VARIANTS * (i + 1) - variantsSoFar;
    const space = kind.dims.reduce((a, d) => a * d.values.length, 1);
    const want = Math.min(space, MAX_VARIANTS, Math.max(owed, rng.int(14, 38)));
    const base = kind.price[0] + rng.next() * (kind.price[1] - kind.price[0]);
    const product: Product = { name, product_id: newId(), variants: {} };
    const ext: ProductExt = {
      name_zh: `${brand[1]}${mod[1]}${kind.zh} ${model}`,
      description: '',
      description_zh: '',
      brand: brand[0],
      category: category.en,
      variants: {},
    };
    for (const combo of drawCombos(rng, kind, want)) {
      const options: Record<string, string> = {};
      const optionsZh: Record<string, string> = {};
      let factor = 0.95 + rng.next() * 0.1;
      combo.forEach((vi, di) => {
        const dim = kind.dims[di]!;
        const value = dim.values[vi]!;
        options[dim.name] = value[0];
        optionsZh[dim.name] = value[1];
        factor *= 1 + (dim.premium ?? 0) * vi;
      });
      const variant: Variant = { item_id: newId(), options, available: rng.chance(0.85), price: round2(base * factor) };
      product.variants[variant.item_id] = variant;
      ext.variants[variant.item_id] = { weight_kg: Math.round(kind.kg * (0.8 + rng.next() * 0.4) * 1000) / 1000, options_zh: optionsZh };
    }
    variantsSoFar += want;
    const [f1, f2] = rng.sample(FEATURES, 2) as [(typeof FEATURES)[number], (typeof FEATURES)[number]];
    ext.description = `The ${brand[0]} ${mod[0]} ${kind.en.toLowerCase()} (${category.en}) is ${f1[0]} and ${f2[0]}.`;
    ext.description_zh = `${brand[1]}${mod[1]}${kind.zh}（${category.zh}）：${f1[1]}，${f2[1]}。`;
    out.push({ product, ext, kind, category });
    onEach?.(i);
  }
  return out;
}
