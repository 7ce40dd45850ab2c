// Generated customers with addresses and payment methods in the τ-bench layout.
import type { Address, PaymentMethod, User } from '../engine/types.ts';
import type { Rng } from './rng.ts';
import { CARD_BRANDS, CITIES, FIRST_NAMES, LAST_NAMES, STREET_SUFFIXES, STREETS } from './vocabulary.ts';

export function generateAddress(rng: Rng): Address {
  const [city, state, zip3] = rng.pick(CITIES);
  return {
    address1: `${rng.int(1, 999)} ${rng.pick(STREETS)} ${rng.pick(STREET_SUFFIXES)}`,
    address2: rng.chance(0.6) ? `${rng.chance(0.5) ? 'Suite' : 'Apt'} ${rng.int(100, 999)}` : '',
    city,
    country: 'USA',
    state,
    zip: zip3 + rng.digits(2, '0123456789'),
  };
}

export function generateUsers(rng: Rng, count: number, unique: (prefix: string, digits: number) => string, onEach?: (i: number) => void): Map<string, User> {
  const users = new Map<string, User>();
  const emails = new Set<string>();
  for (let i = 0; i < count; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const slug = `${first}_${last}`.toLowerCase().replace(/[^a-z_]/g, '');
    let id = '';
    do id = `${slug}_${rng.digits(4)}`;
    while (users.has(id));
    let email = '';
    do email = `${first}.${last}${rng.digits(4)}@example.com`.toLowerCase().replace(/'/g, '');
    while (emails.has(email));
    emails.add(email);
    const methods: Record<string, PaymentMethod> = {};
    const n = rng.int(1, 3);
    for (const kind of rng.sample(['credit_card', 'paypal', 'gift_card'], n)) {
      const pmId = unique(`${kind}_`, 7);
      if (kind === 'credit_card') methods[pmId] = { source: 'credit_card', brand: rng.pick(CARD_BRANDS), last_four: rng.digits(4, '0123456789'), id: pmId };
      else if (kind === 'gift_card') methods[pmId] = { source: 'gift_card', balance: rng.chance(0.5) ? rng.int(0, 250) : Math.round(rng.next() * 25000) / 100, id: pmId };
      else methods[pmId] = { source: 'paypal', id: pmId };
    }
    users.set(id, { name: { first_name: first, last_name: last }, address: generateAddress(rng), email, payment_methods: methods, orders: [] });
    onEach?.(i);
  }
  return users;
}
