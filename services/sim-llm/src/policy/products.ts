// Product questions: search the catalog with the customer's key words (a Mandarin query
// that finds nothing is retried with its English term), and stock questions.
import { itemIds, priceRange, searchKeywords } from '../intents.ts';
import { englishSearchTerm } from '../lexicon.ts';
import { R } from '../replies.ts';
import { isError, parseSearch, parseStock } from '../tool-results.ts';
import { answer, call, findStep, type Decision, type PolicyContext } from './types.ts';

const TOP_RESULTS = 3;

export function productFlow(ctx: PolicyContext, inStockOnly = false): Decision {
  const lang = ctx.language;
  if (!ctx.tools.has('search_products')) return answer(R.toolUnavailable(lang), 'Product search is not available.');
  const query = searchKeywords(ctx.focus);
  if (!query) return answer(R.askProduct(lang), 'No product named: ask which one.');
  const searches = ctx.steps.filter((s) => s.name === 'search_products');
  const args: Record<string, unknown> = { query, ...priceRange(ctx.focus), ...(inStockOnly ? { in_stock_only: true } : {}) };
  const last = searches.at(-1);
  if (!last) return call('search_products', args, `Search the catalog for "${query}".`);
  const result = last.result ?? '';
  if (isError(result)) return answer(R.explainError(lang, result), 'The search failed; explain it.');
  const hits = parseSearch(result);
  if (hits.length === 0) {
    const english = englishSearchTerm(query);
    if (english && !searches.some((s) => s.args.query === english)) {
      return call('search_products', { ...args, query: english }, `Nothing for "${query}"; try the English term "${english}".`);
    }
    return answer(R.noResults(lang, query), 'The search found nothing.');
  }
  return answer(R.searchResults(lang, query, hits.slice(0, TOP_RESULTS)), 'Answer with the top results and their price ranges.');
}

export function stockFlow(ctx: PolicyContext): Decision {
  const itemId = itemIds(ctx.focus)[0];
  if (!itemId || !ctx.tools.has('check_inventory')) return productFlow(ctx, true);
  const s = findStep(ctx, 'check_inventory', { item_id: itemId });
  if (!s) return call('check_inventory', { item_id: itemId }, `Check the stock of item ${itemId}.`);
  const result = s.result ?? '';
  if (isError(result)) return answer(R.explainError(ctx.language, result), 'The stock check failed; explain it.');
  const stock = parseStock(result);
  return answer(R.stock(ctx.language, itemId, stock.available, stock.quantity), 'Report the stock.');
}
