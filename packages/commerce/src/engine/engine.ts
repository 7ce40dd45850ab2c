// The shop's storage: a node:sqlite database holding the τ-bench retail layout plus our
// extensions. Tool semantics live in ../tools; this class only loads, reads, writes and exports.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { parsePy, pyDumps, pyString, reformatJsonText, splitTopLevel } from '../py-json.ts';
import { defaultProductExt } from './default-product-ext.ts';
import { defaultShippingRules, deriveInventory, deriveTracking, WAREHOUSES } from './logistics.ts';
import { DATA_TABLES, SCHEMA_SQL } from './schema.ts';
import type { Extensions, Order, Product, ProductExt, RetailData, TrackingInfo, User } from './types.ts';

/** Records as [id, exact json.dumps text] in source order. */
export interface LoadInput {
  users: Array<[string, string]>;
  orders: Array<[string, string]>;
  products: Array<[string, string]>;
  extensions?: Partial<Extensions>;
  /** Where the data came from (e.g. "generated:seed=42"), kept in the database's meta table. */
  source?: string;
}

export interface ShopEngineOptions {
  /** SQLite file; ':memory:' (default) keeps everything in this process. */
  path?: string;
}

export class ShopEngine {
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private txDepth = 0;
  /** Bumped by every load (not by reset: tools never change the catalog), so the search index knows to rebuild. */
  generation = 0;

  constructor(opts: ShopEngineOptions = {}) {
    this.db = new DatabaseSync(opts.path ?? ':memory:');
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    this.db.exec(SCHEMA_SQL);
  }

  close(): void {
    this.db.close();
  }

  /** A cached prepared statement. */
  sql(text: string): StatementSync {
    let s = this.statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }

  /** Runs fn in one IMMEDIATE transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T {
    if (this.txDepth > 0) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    this.txDepth++;
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    } finally {
      this.txDepth--;
    }
  }

  isLoaded(): boolean {
    return this.sql('SELECT v FROM meta WHERE k = ?').get('loaded') !== undefined;
  }

  /** The `source` label given at load time, if any. */
  loadedSource(): string | undefined {
    return this.sql('SELECT v FROM meta WHERE k = ?').get('source')?.v as string | undefined;
  }

  /** Forgets idempotency keys older than maxAgeMs (a retry never comes that late); returns how many. */
  purgeIdempotencyKeys(maxAgeMs: number, now = Date.now()): number {
    return Number(this.sql('DELETE FROM idempotency WHERE created_at < ?').run(now - maxAgeMs).changes);
  }

  /** Loads a τ-bench layout directory (users.json, orders.json, products.json, optional extensions.json). */
  loadDir(dir: string, source = `dir:${dir}`): void {
    const read = (f: string): Array<[string, string]> =>
      splitTopLevel(readFileSync(join(dir, f), 'utf8')).map(([k, v]) => [k, reformatJsonText(v)]);
    const extPath = join(dir, 'extensions.json');
    const extensions = existsSync(extPath) ? (JSON.parse(readFileSync(extPath, 'utf8')) as Partial<Extensions>) : undefined;
    this.load({ users: read('users.json'), orders: read('orders.json'), products: read('products.json'), source, ...(extensions ? { extensions } : {}) });
  }

  /** Loads JS objects (e.g. the generated catalog). */
  loadData(data: RetailData & { extensions?: Partial<Extensions> }, source?: string): void {
    const rows = (o: Record<string, unknown>): Array<[string, string]> => Object.entries(o).map(([k, v]) => [k, pyDumps(v)]);
    this.load({
      users: rows(data.users),
      orders: rows(data.orders),
      products: rows(data.products),
      ...(source !== undefined ? { source } : {}),
      ...(data.extensions ? { extensions: data.extensions } : {}),
    });
  }

  load(input: LoadInput): void {
    const ext = input.extensions ?? {};
    this.tx(() => {
      for (const t of DATA_TABLES) this.db.exec(`DELETE FROM ${t}`);
      const insUser = this.sql('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)');
      const insPm = this.sql('INSERT OR IGNORE INTO payment_methods VALUES (?, ?)');
      input.users.forEach(([id, text], seq) => {
        const u = JSON.parse(text) as User;
        insUser.run(id, seq, u.email.toLowerCase(), u.name.first_name.toLowerCase(), u.name.last_name.toLowerCase(), u.address.zip, text);
        for (const pm of Object.keys(u.payment_methods)) insPm.run(pm, id);
      });
      const insOrder = this.sql('INSERT INTO orders VALUES (?, ?, ?, ?, ?)');
      const insTracking = this.sql('INSERT OR REPLACE INTO tracking VALUES (?, ?, ?)');
      const tracking = ext.tracking ?? {};
      input.orders.forEach(([id, text], seq) => {
        const o = JSON.parse(text) as Order;
        insOrder.run(id, seq, o.user_id, o.status, text);
        if (!ext.tracking) for (const t of deriveTracking(o)) insTracking.run(t.tracking_id, id, JSON.stringify(t));
      });
      for (const t of Object.values(tracking)) insTracking.run(t.tracking_id, t.order_id, JSON.stringify(t));
      const insProduct = this.sql('INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
      const insVariant = this.sql('INSERT INTO variants VALUES (?, ?, ?, ?, ?, ?, ?)');
      const insInv = this.sql('INSERT INTO inventory VALUES (?, ?, ?)');
      input.products.forEach(([id, text], seq) => {
        const p = JSON.parse(text) as Product;
        const pe: ProductExt = ext.products?.[id] ?? defaultProductExt(p);
        insProduct.run(id, seq, p.name, text, pe.name_zh, pe.description, pe.description_zh, pe.brand, pe.category);
        for (const v of Object.values(p.variants)) {
          const ve = pe.variants[v.item_id] ?? { weight_kg: 1, options_zh: {} };
          insVariant.run(v.item_id, id, Number(v.price), v.available ? 1 : 0, JSON.stringify(v.options), JSON.stringify(ve.options_zh), ve.weight_kg);
          const stock = ext.inventory?.[v.item_id] ?? deriveInventory(v.item_id, v.available);
          // Zero rows are implied (a missing row reads as 0): a third fewer inserts on big catalogs.
          for (const [wh, q] of Object.entries(stock)) if (q > 0) insInv.run(v.item_id, wh, q);
        }
      });
      const insWh = this.sql('INSERT INTO warehouses VALUES (?, ?, ?, ?, ?, ?)');
      for (const w of ext.warehouses ?? WAREHOUSES) insWh.run(w.warehouse_id, w.name, w.city, w.state, w.zip, w.country);
      const insRule = this.sql('INSERT INTO shipping_rules VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const r of ext.shippingRules ?? defaultShippingRules()) {
        insRule.run(r.carrier, r.service, r.zone, r.base_cost, r.per_kg, r.days_min, r.days_max);
      }
      this.db.exec('INSERT INTO orig_users SELECT * FROM users; INSERT INTO orig_orders SELECT * FROM orders;');
      this.sql('INSERT INTO meta VALUES (?, ?)').run('loaded', new Date().toISOString());
      if (input.source !== undefined) this.sql('INSERT INTO meta VALUES (?, ?)').run('source', input.source);
    });
    this.generation++;
  }

  /** Back to the loaded data: undoes every write and forgets idempotency keys. */
  reset(): void {
    this.tx(() => {
      this.db.exec(`DELETE FROM users; INSERT INTO users SELECT * FROM orig_users;
        DELETE FROM orders; INSERT INTO orders SELECT * FROM orig_orders; DELETE FROM idempotency;`);
    });
  }

  /** The τ-bench layout, exactly as loaded plus the effect of the writes since. */
  exportAll(): RetailData {
    const collect = (table: string, key: string): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const r of this.sql(`SELECT ${key} AS id, data FROM ${table} ORDER BY seq`).iterate()) {
        out[r.id as string] = JSON.parse(r.data as string);
      }
      return out;
    };
    return { users: collect('users', 'user_id'), orders: collect('orders', 'order_id'), products: collect('products', 'product_id') };
  }

  /**
   * The export as JSON text built from the stored record texts: unlike JSON.stringify of
   * exportAll(), it keeps the source key order of numeric ids and integral floats (`247.0`).
   */
  exportJson(): string {
    const part = (table: string, key: string): string => {
      const rows: string[] = [];
      for (const r of this.sql(`SELECT ${key} AS id, data FROM ${table} ORDER BY seq`).iterate()) {
        rows.push(`${pyString(r.id as string)}: ${r.data as string}`);
      }
      return `{${rows.join(', ')}}`;
    };
    return `{"users": ${part('users', 'user_id')}, "orders": ${part('orders', 'order_id')}, "products": ${part('products', 'product_id')}}`;
  }

  getUserText(id: string): string | undefined {
    return this.sql('SELECT data FROM users WHERE user_id = ?').get(id)?.data as string | undefined;
  }

  getUser(id: string): User | undefined {
    const t = this.getUserText(id);
    return t === undefined ? undefined : parsePy<User>(t);
  }

  putUser(id: string, u: User): string {
    const text = pyDumps(u);
    this.sql('UPDATE users SET data = ?, email_lc = ?, first_lc = ?, last_lc = ?, zip = ? WHERE user_id = ?').run(
      text, u.email.toLowerCase(), u.name.first_name.toLowerCase(), u.name.last_name.toLowerCase(), u.address.zip, id,
    );
    return text;
  }

  getOrderText(id: string): string | undefined {
    return this.sql('SELECT data FROM orders WHERE order_id = ?').get(id)?.data as string | undefined;
  }

  getOrder(id: string): Order | undefined {
    const t = this.getOrderText(id);
    return t === undefined ? undefined : parsePy<Order>(t);
  }

  putOrder(o: Order): string {
    const text = pyDumps(o);
    this.sql('UPDATE orders SET data = ?, status = ? WHERE order_id = ?').run(text, o.status, o.order_id);
    return text;
  }

  getProductText(id: string): string | undefined {
    return this.sql('SELECT data FROM products WHERE product_id = ?').get(id)?.data as string | undefined;
  }

  getProduct(id: string): Product | undefined {
    const t = this.getProductText(id);
    return t === undefined ? undefined : parsePy<Product>(t);
  }

  /** Owner of a payment method id, if any customer has it. */
  paymentMethodOwners(pmId: string): string[] {
    return this.sql('SELECT user_id FROM payment_methods WHERE pm_id = ?').all(pmId).map((r) => r.user_id as string);
  }

  getTracking(trackingId: string): TrackingInfo | undefined {
    const t = this.sql('SELECT data FROM tracking WHERE tracking_id = ?').get(trackingId)?.data as string | undefined;
    return t === undefined ? undefined : (JSON.parse(t) as TrackingInfo);
  }
}
