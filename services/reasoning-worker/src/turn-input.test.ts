import { describe, expect, it } from 'vitest';
import { commerceTools } from '@steward/commerce';
import { renderToolsAsText, TEXT_FORMAT_INSTRUCTIONS } from '@steward/llm';
import { ToolRegistry } from '@steward/tools';
import { ALWAYS_OFFERED } from './select-tools.ts';
import { turnInput, type TurnContext } from './turn-input.ts';

// The tools a turn offers are remembered per chosen set: a later turn with the same set must get
// exactly what the first computed, and another set (or style) its own.
const registry = new ToolRegistry(commerceTools);
const ctx = (text: string, style: TurnContext['toolStyle']): TurnContext => ({
  model: 'gpt-4o-mini',
  registry,
  toolStyle: style,
  toolSelection: 'relevant',
  naive: false,
  conversation: { customerId: 'mia_garcia_4516', summary: '', messages: [{ role: 'user', content: text }] },
  language: 'en',
  text,
  steps: [],
});

describe('turnInput tool offer', () => {
  it('offers the same definitions for the same request, always-offered first, the rest in registry order', () => {
    const a = turnInput(ctx('Where is my order #W1234567? When will it arrive?', 'native'));
    const b = turnInput(ctx('Where is my order #W1234567? When will it arrive?', 'native'));
    expect(b.tools).toBe(a.tools);
    const names = a.tools.map((t) => t.function.name);
    expect(names.slice(0, ALWAYS_OFFERED.length)).toEqual([...ALWAYS_OFFERED]);
    const rest = names.slice(ALWAYS_OFFERED.length);
    const order = registry.names();
    expect(rest).toEqual([...rest].sort((x, y) => order.indexOf(x) - order.indexOf(y)));
    expect(names).toContain('get_shipping_info');
    expect(a.input.tools).toBe(a.tools);
  });

  it('another request gets its own set; the text style renders the offered tools into the system prompt', () => {
    const ship = turnInput(ctx('Where is my order #W1234567? When will it arrive?', 'native'));
    const refund = turnInput(ctx('I want a refund for order #W1234567', 'native'));
    expect(refund.tools.map((t) => t.function.name)).toContain('return_delivered_order_items');
    expect(ship.tools.map((t) => t.function.name)).not.toContain('return_delivered_order_items');
    const text = turnInput(ctx('I want a refund for order #W1234567', 'text'));
    expect(text.tools).toEqual([]);
    const offered = registry.list().filter((t) => refund.tools.some((d) => d.function.name === t.name));
    const stable = [...offered].sort((x, y) => (ALWAYS_OFFERED.includes(x.name) ? 0 : 1) - (ALWAYS_OFFERED.includes(y.name) ? 0 : 1));
    expect(text.textTools).toBe(`\n\n${renderToolsAsText(stable)}\n\n${TEXT_FORMAT_INSTRUCTIONS}`);
    expect(text.input.system.endsWith(text.textTools)).toBe(true);
    expect(turnInput(ctx('I want a refund for order #W1234567', 'text')).textTools).toBe(text.textTools);
  });
});
