// Warehouses, carriers and shipping rules of the reference shop. Names are invented.
import { hash32, hashPick, hashUnit } from './hash.ts';
import type { Order, ShippingRule, TrackingInfo, Warehouse } from './types.ts';

export const WAREHOUSES: Warehouse[] = [
  { warehouse_id: 'WH-WEST', name: 'West Coast Hub', city: 'Reno', state: 'NV', zip: '89502', country: 'USA' },
  { warehouse_id: 'WH-CENTRAL', name: 'Central Hub', city: 'Columbus', state: 'OH', zip: '43215', country: 'USA' },
  { warehouse_id: 'WH-EAST', name: 'East Coast Hub', city: 'Allentown', state: 'PA', zip: '18101', country: 'USA' },
  { warehouse_id: 'WH-SOUTH', name: 'Southern Hub', city: 'Dallas', state: 'TX', zip: '75201', country: 'USA' },
];

/** Zones by distance between the first zip digits of warehouse and destination. */
export function zoneFor(fromZip: string, toZip: string, country: string): string {
  if (country.trim().toUpperCase() !== 'USA' && country.trim().toUpperCase() !== 'US') return 'intl';
  const d = Math.abs(Number(fromZip[0] ?? '0') - Number(toZip[0] ?? '0'));
  return d <= 2 ? 'near' : d <= 5 ? 'mid' : 'far';
}

const SERVICES: Array<{ carrier: string; service: string; base: number; perKg: number; days: [number, number] }> = [
  { carrier: 'Parcelway', service: 'ground', base: 5.99, perKg: 0.9, days: [3, 6] },
  { carrier: 'Parcelway', service: 'express', base: 14.99, perKg: 2.1, days: [1, 2] },
  { carrier: 'SwiftPost', service: 'standard', base: 4.49, perKg: 1.2, days: [4, 7] },
  { carrier: 'SwiftPost', service: 'overnight', base: 24.99, perKg: 3.5, days: [1, 1] },
  { carrier: 'EcoFreight', service: 'economy', base: 2.99, perKg: 0.6, days: [6, 10] },
];

const ZONE_FACTOR: Record<string, { cost: number; days: number }> = {
  near: { cost: 1, days: 0 },
  mid: { cost: 1.25, days: 1 },
  far: { cost: 1.5, days: 2 },
  intl: { cost: 3.2, days: 6 },
};

export function defaultShippingRules(): ShippingRule[] {
  const rules: ShippingRule[] = [];
  for (const [zone, f] of Object.entries(ZONE_FACTOR)) {
    for (const s of SERVICES) {
      if (zone === 'intl' && s.service === 'overnight') continue;
      rules.push({
        carrier: s.carrier,
        service: s.service,
        zone,
        base_cost: Math.round(s.base * f.cost * 100) / 100,
        per_kg: Math.round(s.perKg * f.cost * 100) / 100,
        days_min: s.days[0] + f.days,
        days_max: s.days[1] + f.days,
      });
    }
  }
  return rules;
}

/** Stock per warehouse: unavailable variants have none anywhere. */
export function deriveInventory(itemId: string, available: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of WAREHOUSES) {
    const u = hashUnit(`${itemId}:${w.warehouse_id}`);
    out[w.warehouse_id] = available ? (u < 0.3 ? 0 : 1 + Math.floor(u * 60)) : 0;
  }
  if (available && Object.values(out).every((q) => q === 0)) out[WAREHOUSES[hash32(itemId) % WAREHOUSES.length]!.warehouse_id] = 3;
  return out;
}

const BASE_DAY = Date.UTC(2024, 4, 1);
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

/** Tracking records for an order's fulfillments, consistent with its status. */
export function deriveTracking(order: Order): TrackingInfo[] {
  const out: TrackingInfo[] = [];
  const delivered = ['delivered', 'return requested', 'exchange requested'].includes(order.status);
  for (const f of order.fulfillments) {
    for (const tid of f.tracking_id) {
      const svc = hashPick(tid, SERVICES);
      const shipped = BASE_DAY + (hash32(tid) % 60) * DAY + (hash32(tid + 'h') % 10) * 3_600_000;
      const transit = svc.days[0] + (hash32(tid + 'd') % (svc.days[1] - svc.days[0] + 1));
      const eta = shipped + transit * DAY;
      const wh = hashPick(tid + 'w', WAREHOUSES);
      const events = [
        { at: iso(shipped - 6 * 3_600_000), status: 'label_created', location: `${wh.city}, ${wh.state}` },
        { at: iso(shipped), status: 'picked_up', location: `${wh.city}, ${wh.state}` },
        { at: iso(shipped + Math.floor(transit / 2) * DAY + 7_200_000), status: 'in_transit', location: 'Regional sort facility' },
      ];
      if (delivered) events.push({ at: iso(eta), status: 'delivered', location: `${order.address.city}, ${order.address.state}` });
      out.push({
        tracking_id: tid,
        order_id: order.order_id,
        carrier: svc.carrier,
        service: svc.service,
        status: delivered ? 'delivered' : 'in_transit',
        shipped_at: iso(shipped),
        estimated_delivery: iso(eta).slice(0, 10),
        delivered_at: delivered ? iso(eta) : null,
        events,
      });
    }
  }
  return out;
}
