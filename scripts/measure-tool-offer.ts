// Token cost of the tool definitions: every commerce tool vs what select-tools offers for
// typical requests. Prints JSON; the figures are quoted in docs/adr/0011-prompt-budget.md.
import { commerceTools } from '@steward/commerce';
import { countToolDefinitionTokens, emptyMemory, recordRequest, recordToolCalls } from '@steward/context';
import { ToolRegistry } from '@steward/tools';
import { selectTools } from '@steward/reasoning-worker';

const model = 'gpt-4o';
const registry = new ToolRegistry(commerceTools);
const all = registry.toOpenAiTools();
const cost = (names: Set<string> | null): number => countToolDefinitionTokens(names ? all.filter((t) => names.has(t.function.name)) : all, model);
const order = (id: string, status: string) => JSON.stringify({ order_id: id, status, items: [{ item_id: '1', product_id: '2', name: 'Mug', price: 3, options: {} }], payment_history: [] });
let m = recordRequest(emptyMemory(), 'q1', 'I want to exchange my keyboard and cancel my pending order');
m = recordToolCalls(m, [
  { callId: 'a', name: 'get_user_details', arguments: { user_id: 'u' }, result: JSON.stringify({ name: { first_name: 'A', last_name: 'B' }, address: {}, email: 'e', payment_methods: {}, orders: ['#W1', '#W2'] }) },
  { callId: 'b', name: 'get_order_details', arguments: { order_id: '#W1' }, result: order('#W1', 'pending') },
  { callId: 'c', name: 'get_order_details', arguments: { order_id: '#W2' }, result: order('#W2', 'delivered') },
]);
const u = (content: string) => ({ role: 'user' as const, content });
const cases = {
  first_message_unverified: selectTools(registry.names(), [u('Hi, where is my order?')], [], false),
  order_status_verified: selectTools(registry.names(), [u('Where is my order #W1234567?')], [], true, emptyMemory()),
  yes_after_reads: selectTools(registry.names(), [u('I want to exchange my keyboard and cancel my pending order'), { role: 'assistant' as const, content: 'Shall I?' }, u('yes')], [], true, m),
};
console.log(JSON.stringify({ all_tools: { count: all.length, tokens: cost(null) }, ...Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, { count: v.size, tokens: cost(v) }])) }));
