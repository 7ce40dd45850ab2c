// Exchange: which variant of the same product the customer wants instead of the one they have.
import { withEnglishOptionWords } from '../lexicon.ts';
import type { OrderItem, Variant } from '../tool-results.ts';

export type VariantChoice = { kind: 'chosen'; variant: Variant } | { kind: 'ask'; choices: string } | { kind: 'none' };

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function chooseVariant(item: OrderItem, variants: readonly Variant[], customerText: string): VariantChoice {
  const text = withEnglishOptionWords(customerText);
  const values = new Map<string, Set<string>>();
  for (const v of variants) for (const [k, x] of Object.entries(v.options)) (values.get(k) ?? values.set(k, new Set()).get(k)!).add(x);
  // Values the customer named that differ from what they have: "my blue bottle → a red one" asks for red.
  const wanted = new Map<string, string>();
  for (const [k, xs] of values) {
    for (const x of [...xs].sort((a, b) => b.length - a.length)) {
      if (x === item.options[k] || wanted.has(k)) continue;
      if (new RegExp(`(^|[^a-z0-9])${escape(x.toLowerCase())}($|[^a-z0-9])`).test(text)) wanted.set(k, x);
    }
  }
  if (wanted.size === 0) {
    const choices = [...values].map(([k, xs]) => `${k}: ${[...xs].sort().join('/')}`).join('; ');
    return { kind: 'ask', choices };
  }
  const same = (v: Variant): number => Object.entries(item.options).filter(([k, x]) => !wanted.has(k) && v.options[k] === x).length;
  const fits = variants
    .filter((v) => v.itemId !== item.itemId && v.available && [...wanted].every(([k, x]) => v.options[k] === x))
    .sort((a, b) => same(b) - same(a) || a.itemId.localeCompare(b.itemId));
  return fits[0] ? { kind: 'chosen', variant: fits[0] } : { kind: 'none' };
}

export function optionsLabel(options: Record<string, string>): string {
  return Object.entries(options)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
}
