// Finding 9: redaction must hide emails, phones, cards, street addresses and names, and must keep
// order, item, product and payment-method ids and tracking numbers. Scored on a labelled corpus
// from the τ-bench records (when ../shared is there) and always on the generated catalog.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCatalog } from '@steward/commerce';
import { buildDebugTrace, redactPii } from '@steward/telemetry';
import { HAS_TAUBENCH, TAUBENCH_DIR } from '../helpers/shared-data.ts';
import { buildRedactionCorpus, scoreRedaction, type CorpusScore, type LabelledText, type TauData } from './redaction-corpus.ts';

function report(name: string, s: CorpusScore): void {
  const pct = (a: number, b: number): string => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(2)} %`);
  const kinds = Object.entries(s.byKind)
    .map(([k, v]) => `${k} ${v.ok}/${v.total}`)
    .join(', ');
  process.stdout.write(
    `[redaction ${name}] PII recall ${pct(s.piiRedacted, s.pii)} (${s.piiRedacted}/${s.pii}); ` +
      `business ids altered ${s.ids - s.idsKept}/${s.ids}; ${kinds}\n`,
  );
  for (const m of s.misses.slice(0, 8)) process.stdout.write(`  miss ${m.source} ${m.kind} ${JSON.stringify(m.value)} → ${m.output.slice(0, 200)}\n`);
}

const redactWithKnown = (text: string, known: readonly string[]): string => redactPii(text, { names: known });

/** The whole corpus, and apart the names written without a cue word. */
function scoreAll(name: string, corpus: LabelledText[]): CorpusScore {
  const score = scoreRedaction(corpus, redactWithKnown);
  report(name, score);
  const nocue = corpus.filter((t) => t.source.includes('nocue'));
  report(`${name}, names without a cue word`, scoreRedaction(nocue, redactWithKnown));
  // What the generic rules catch alone, as where no tool has named the customer yet.
  report(`${name}, names without a cue word, generic rules only`, scoreRedaction(nocue, (text) => redactPii(text, { names: [] })));
  return score;
}

function expectGoals(s: CorpusScore): void {
  expect(s.pii).toBeGreaterThan(1_000);
  expect(s.piiRedacted / s.pii).toBeGreaterThanOrEqual(0.99);
  expect(s.ids).toBeGreaterThan(1_000);
  expect(s.ids - s.idsKept).toBe(0);
}

describe('redaction corpus (finding 9)', () => {
  it.skipIf(!HAS_TAUBENCH)('τ-bench records: PII recall ≥ 99 %, no business id altered', () => {
    const data: TauData = {
      users: JSON.parse(readFileSync(join(TAUBENCH_DIR, 'users.json'), 'utf8')) as Record<string, unknown>,
      orders: JSON.parse(readFileSync(join(TAUBENCH_DIR, 'orders.json'), 'utf8')) as Record<string, unknown>,
    };
    expectGoals(scoreAll('τ-bench', buildRedactionCorpus(data)));
  });

  it('generated catalog: PII recall ≥ 99 %, no business id altered', () => {
    const data = generateCatalog({ seed: 7, products: 40, users: 300, orders: 600 });
    expectGoals(scoreAll('generated', buildRedactionCorpus(data, { seed: 3 })));
  });

  it('the debug trace shows tool observations with their ids and without the customer', () => {
    const data = generateCatalog({ seed: 9, products: 20, users: 5, orders: 10 });
    const [orderId, order] = Object.entries(data.orders)[0]!;
    const user = data.users[order.user_id]!;
    const result = JSON.stringify(order);
    const trace = buildDebugTrace([
      { id: '1-0', type: 'query.accepted', ts: 1, queryId: 'q_1', conversationId: 'c_1', data: {} },
      {
        id: '2-0',
        type: 'tool.call',
        ts: 2,
        queryId: 'q_1',
        conversationId: 'c_1',
        data: { turn: 0, index: 0, callId: 'c0', spanId: 'ab12', name: 'get_order_details', arguments: { order_id: orderId }, result, ok: true, startMs: 2, endMs: 3, cacheHit: false },
      },
    ] as Parameters<typeof buildDebugTrace>[0]);
    const observation = trace.steps[0]?.observation ?? '';
    expect(observation).toContain(orderId);
    for (const i of order.items) expect(observation).toContain(i.item_id);
    expect(observation).not.toContain(order.address.address1);
    expect(observation).not.toContain(user.email);
  });
});
