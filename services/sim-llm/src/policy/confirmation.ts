// The confirmation request of a write, and reading it back. The answer ends with a `Ref:` line
// holding the exact call, so that after the customer's "yes" the model re-proposes exactly what
// the customer saw, with no state other than the conversation itself.
import type { Language } from '@steward/core';
import { itemList, type WriteKind } from '../replies.ts';
import { tryJson } from '../tool-results.ts';
import type { PlannedCall } from './types.ts';

export const WRITE_TOOLS: Readonly<Record<string, WriteKind>> = {
  cancel_pending_order: 'cancel',
  return_delivered_order_items: 'return',
  exchange_delivered_order_items: 'exchange',
};

export interface WriteDetails {
  kind: WriteKind;
  orderId: string;
  items: { itemId: string; name: string }[];
  /** Exchange: the variants the customer gets instead, with their options. */
  newItems?: { itemId: string; label: string }[];
}

const REF = /^Ref:\s*(cancel_pending_order|return_delivered_order_items|exchange_delivered_order_items)\s+(\{.*\})\s*$/m;

export function confirmationRequest(lang: Language, call: PlannedCall, d: WriteDetails): string {
  const a = call.args;
  const zh = lang === 'zh';
  const action = {
    cancel: zh ? '取消订单' : 'cancel the order',
    return: zh ? '退货' : 'return items',
    exchange: zh ? '换货' : 'exchange items',
  }[d.kind];
  const lines = [
    zh ? '在继续之前，请确认以下操作：' : 'Please confirm the following before I proceed:',
    `- ${zh ? '操作' : 'Action'}: ${action} (${call.name})`,
    `- ${zh ? '订单' : 'Order'}: ${d.orderId}`,
  ];
  if (d.kind === 'cancel') {
    lines.push(`- ${zh ? '原因' : 'Reason'}: ${String(a.reason)}`);
    lines.push(`- ${zh ? '退款方式' : 'Refund to'}: ${zh ? '原支付方式' : 'the original payment method(s)'}`);
  } else {
    lines.push(`- ${zh ? '商品' : 'Items'}: ${itemList(d.items, lang)}`);
    if (d.newItems?.length) lines.push(`- ${zh ? '换成' : 'New items'}: ${d.newItems.map((n) => (n.label ? `${n.itemId} (${n.label})` : n.itemId)).join(zh ? '、' : ', ')}`);
    const pm = String(a.payment_method_id);
    lines.push(
      d.kind === 'return'
        ? `- ${zh ? '退款方式' : 'Refund to'}: ${pm}`
        : `- ${zh ? '差价支付/退款方式' : 'Price difference paid or refunded with'}: ${pm}`,
    );
  }
  lines.push(zh ? '是否确认？请回复“是”或“否”。' : 'Do you confirm? Please reply "yes" or "no".');
  lines.push(`Ref: ${call.name} ${JSON.stringify(a)}`);
  return lines.join('\n');
}

/** The write a previous confirmation request proposed, or undefined. */
export function parseConfirmationRequest(text: string | undefined): PlannedCall | undefined {
  const m = text === undefined ? null : REF.exec(text);
  if (!m?.[1] || !m[2]) return undefined;
  const args = tryJson(m[2]);
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return undefined;
  return { name: m[1], args: args as Record<string, unknown> };
}
