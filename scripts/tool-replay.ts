// Replays tool calls against a τ-bench layout: JSON lines on stdin, one JSON line per input on
// stdout, in order. Logs go to stderr only.
//   node scripts/tool-replay.ts --data ../shared/taubench < calls.jsonl
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ShopEngine, createReplaySession } from '@steward/commerce';

const { values } = parseArgs({ options: { data: { type: 'string' }, db: { type: 'string' } } });
if (!values.data) {
  process.stderr.write('usage: node scripts/tool-replay.ts --data <dir with users.json, orders.json, products.json> [--db file.sqlite]\n');
  process.exit(2);
}

const engine = new ShopEngine(values.db ? { path: values.db } : {});
engine.loadDir(values.data);
process.stderr.write(`tool-replay: loaded ${values.data}\n`);
const session = createReplaySession(engine);

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  const out = await session.handle(line);
  if (!process.stdout.write(out + '\n')) await new Promise((r) => process.stdout.once('drain', r));
}
engine.close();
