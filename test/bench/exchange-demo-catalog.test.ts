// Found by the load benchmark: with the generated demo catalog an exchange never reached the
// write. After the backend asked for confirmation, the model double re-derived the variant
// from a product record the budgeted prompt had since shortened, found no variants and asked
// "Available options: ." forever. It now confirms exactly the call it proposed.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort, uniquePrefix } from '@steward/testing';
import { startShop, type RunningShop } from '@steward/shop';
import { startSystem, type RunningSystem } from '@steward/system';
import { IngressClient } from '../helpers/client.ts';
import { buildScripts, fetchExport, type Script } from './conversations.ts';

const url = inject('redisUrl');
const prefix = uniquePrefix('exch');
const KEY = 'exchange-test-key';
let shop: RunningShop;
let sys: RunningSystem;
let api: IngressClient;
let exchange: Script;

describe('exchange with the demo catalog', () => {
  beforeAll(async () => {
    shop = await startShop({ mode: 'test', port: await freePort(), catalogSize: { products: 60, users: 40, orders: 160 } });
    sys = await startSystem({
      redisUrl: url,
      prefix,
      shopUrl: shop.url,
      apiKeys: KEY,
      // Many questions of one customer in a few seconds: the per-customer bucket would refuse them
      // (admission has its own tests in test/channels and test/security).
      admit: false,
      ports: { ingress: await freePort(), simLlm: await freePort() },
      logLevel: 'warn',
      tracer: false,
    });
    api = new IngressClient(sys.url, KEY);
    const scripts = buildScripts(await fetchExport(shop.url), 20, 2, 'exch');
    const found = scripts.find((s) => s.scenario === 'exchange' && s.language === 'en');
    if (!found) throw new Error('the small catalog has no exchangeable delivered order');
    exchange = found;
  }, 120_000);
  afterAll(async () => {
    await sys?.close();
    await shop?.close();
    await deletePrefix(url, prefix);
  });

  it('asks for confirmation naming the new variant, then exchanges after "yes"', async () => {
    const [ask, yes] = exchange.messages;
    const first = await api.ask({ conversationId: exchange.conversationId, customerId: exchange.customerId, text: ask! });
    expect(first.answer).not.toMatch(/Available options: \./);
    expect(first.answer).toMatch(/confirm/i);
    await api.ask({ conversationId: exchange.conversationId, customerId: exchange.customerId, text: yes! });
    const res = await fetch(`${shop.url}/v1/tools/get_order_details`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ arguments: { order_id: exchange.writeOrder }, customerId: exchange.customerId }),
    });
    const order = JSON.parse(((await res.json()) as { result: string }).result) as { status: string };
    expect(order.status).toBe('exchange requested');
  });
});
