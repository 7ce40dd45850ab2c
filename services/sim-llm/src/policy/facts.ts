// An answer from what this request already observed, for when the model must stop calling
// tools (a loop warning, or the tool it needs is not offered).
import { R } from '../replies.ts';
import { isError, parseOrder, parseSearch } from '../tool-results.ts';
import { answer, argText, type Decision, type PolicyContext } from './types.ts';

export function answerFromFacts(ctx: PolicyContext, why: string): Decision {
  const lang = ctx.language;
  for (let i = ctx.steps.length - 1; i >= 0; i--) {
    const s = ctx.steps[i]!;
    if (s.result === undefined || isError(s.result)) continue;
    if (s.name === 'get_order_details') {
      const o = parseOrder(s.result);
      if (o) return answer(R.orderStatus(lang, o.orderId ?? argText(s.args.order_id), o), `${why}: answer with the order already read.`);
    }
    if (s.name === 'search_products') {
      const hits = parseSearch(s.result);
      if (hits.length) return answer(R.searchResults(lang, argText(s.args.query), hits.slice(0, 3)), `${why}: answer with the search already made.`);
    }
  }
  return answer(R.cannotComplete(lang), `${why}: nothing useful observed; apologise.`);
}
