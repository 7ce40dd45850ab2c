// The read-only τ-bench retail tools, with τ-bench's exact result strings.
import type { ShopEngine } from '../engine/engine.ts';
import { pyDumps, pyString } from '../py-json.ts';
import { calculate } from '../calculate.ts';
import type { Args } from './params.ts';
import { isOutcome, ownOrder, ownUser, USER_NOT_FOUND, type ToolOutcome } from './outcome.ts';

type Ctx = { customerId: string | null };

export function findUserIdByEmail(engine: ShopEngine, a: Args<'find_user_id_by_email'>): ToolOutcome {
  const row = engine.sql('SELECT user_id FROM users WHERE email_lc = ? ORDER BY seq LIMIT 1').get(a.email.toLowerCase());
  if (!row) return { result: USER_NOT_FOUND };
  const id = row.user_id as string;
  return { result: id, identifiedUserId: id };
}

export function findUserIdByNameZip(engine: ShopEngine, a: Args<'find_user_id_by_name_zip'>): ToolOutcome {
  const row = engine
    .sql('SELECT user_id FROM users WHERE last_lc = ? AND first_lc = ? AND zip = ? ORDER BY seq LIMIT 1')
    .get(a.last_name.toLowerCase(), a.first_name.toLowerCase(), a.zip);
  if (!row) return { result: USER_NOT_FOUND };
  const id = row.user_id as string;
  return { result: id, identifiedUserId: id };
}

export function getUserDetails(engine: ShopEngine, a: Args<'get_user_details'>, ctx: Ctx): ToolOutcome {
  const user = ownUser(engine, a.user_id, ctx.customerId);
  if (isOutcome(user)) return user;
  return { result: pyDumps(user) };
}

export function getOrderDetails(engine: ShopEngine, a: Args<'get_order_details'>, ctx: Ctx): ToolOutcome {
  const order = ownOrder(engine, a.order_id, ctx.customerId);
  if (isOutcome(order)) return order;
  return { result: pyDumps(order) };
}

export function getProductDetails(engine: ShopEngine, a: Args<'get_product_details'>): ToolOutcome {
  return { result: engine.getProductText(a.product_id) ?? 'Error: product not found' };
}

export function listAllProductTypes(engine: ShopEngine): ToolOutcome {
  // {name: product_id} with later duplicates winning, sorted by name in code-point order.
  const byName = new Map<string, string>();
  for (const r of engine.sql('SELECT name, product_id FROM products ORDER BY seq').iterate()) {
    byName.set(r.name as string, r.product_id as string);
  }
  const names = [...byName.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return { result: '{' + names.map((n) => `${pyString(n)}: ${pyString(byName.get(n)!)}`).join(', ') + '}' };
}

export function calculateTool(a: Args<'calculate'>): ToolOutcome {
  return { result: calculate(a.expression) };
}

export function think(): ToolOutcome {
  return { result: '' };
}

export function transferToHumanAgents(): ToolOutcome {
  return { result: 'Transfer successful' };
}
