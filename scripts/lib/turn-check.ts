// Whether a benchmark turn succeeded on what the model was shown, not on what the offline model
// knows: sim-llm can answer from the shop's data past its prompt, a real model cannot. A turn
// succeeds only when
//  1. the answer states the fact the shop's data says it must (as before), and
//  2. every id and fact that answer rests on was in the prompt of the call that wrote it, and
//  3. every argument value of every tool call of the turn (the next action: a return after the
//     customer's "yes" needs the order, item and payment-method ids) was in the prompt of the
//     call that made it, and that tool was offered in that request.
import { argumentValues, isPresent, promptText } from '@steward/eval';
import type { RecordedCall } from './prompt-recorder.ts';

/** Arguments the model writes in its own words: nothing in them has to be copied from the prompt. */
const OWN_WORDS = new Set(['query', 'reason', 'summary', 'thought']);

export interface TurnExpectation {
  /** The answer passes when it contains any of these (case-insensitive). */
  expect: readonly string[];
  /** Ids and facts the answer rests on: each must be in the answering call's prompt. */
  needs: readonly string[];
}

export interface TurnVerdict {
  ok: boolean;
  /** Why not, one line each ("answer lacks …", "prompt lacks W123 …", "search_products not offered"). */
  problems: string[];
}

export function checkTurn(turn: TurnExpectation, answer: string, calls: readonly RecordedCall[]): TurnVerdict {
  const problems: string[] = [];
  const said = answer.toLowerCase();
  if (!turn.expect.some((e) => said.includes(e.toLowerCase()))) problems.push(`answer lacks any of ${JSON.stringify(turn.expect)}`);
  // The answering call: the last one that replied in words.
  const answering = calls.findLast((c) => c.calls.length === 0);
  if (turn.needs.length) {
    if (!answering) problems.push('no model call answered in words');
    else {
      const p = promptText([{ content: answering.prompt }]);
      const lacking = turn.needs.filter((v) => !isPresent(v, p));
      if (lacking.length) problems.push(`answering prompt lacks ${JSON.stringify(lacking)}`);
    }
  }
  calls.forEach((c, i) => {
    const p = promptText([{ content: c.prompt }]);
    for (const call of c.calls) {
      if (!c.offered.includes(call.name)) problems.push(`call ${i}: ${call.name} not offered`);
      const own = Object.fromEntries(Object.entries(call.args).filter(([k]) => !OWN_WORDS.has(k)));
      const lacking = argumentValues(own).filter(([, v]) => !isPresent(v, p));
      if (lacking.length) problems.push(`call ${i}: ${call.name} arguments not in its prompt: ${lacking.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    }
  });
  return { ok: problems.length === 0, problems };
}
