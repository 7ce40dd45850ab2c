// SQLite layout. τ-bench records live as their exact json.dumps text (`data`), so an export
// reproduces the loaded files; indexed columns beside them serve look-ups. The `orig_*` copies
// are what reset() returns to (tools only ever change users and orders).
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  user_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, email_lc TEXT NOT NULL,
  first_lc TEXT NOT NULL, last_lc TEXT NOT NULL, zip TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS users_email ON users(email_lc, seq);
CREATE INDEX IF NOT EXISTS users_name ON users(last_lc, first_lc, zip, seq);
CREATE TABLE IF NOT EXISTS payment_methods (pm_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (pm_id, user_id));
CREATE TABLE IF NOT EXISTS orders (
  order_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_user ON orders(user_id);
CREATE TABLE IF NOT EXISTS products (
  product_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL,
  name_zh TEXT NOT NULL, description TEXT NOT NULL, description_zh TEXT NOT NULL,
  brand TEXT NOT NULL, category TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS variants (
  item_id TEXT PRIMARY KEY, product_id TEXT NOT NULL, price REAL NOT NULL, available INTEGER NOT NULL,
  options TEXT NOT NULL, options_zh TEXT NOT NULL, weight_kg REAL NOT NULL);
CREATE INDEX IF NOT EXISTS variants_product ON variants(product_id);
CREATE TABLE IF NOT EXISTS warehouses (
  warehouse_id TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL, state TEXT NOT NULL,
  zip TEXT NOT NULL, country TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inventory (
  item_id TEXT NOT NULL, warehouse_id TEXT NOT NULL, quantity INTEGER NOT NULL, PRIMARY KEY (item_id, warehouse_id));
CREATE TABLE IF NOT EXISTS shipping_rules (
  carrier TEXT NOT NULL, service TEXT NOT NULL, zone TEXT NOT NULL, base_cost REAL NOT NULL,
  per_kg REAL NOT NULL, days_min INTEGER NOT NULL, days_max INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tracking (tracking_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY, tool TEXT NOT NULL, response TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS orig_users AS SELECT * FROM users WHERE 0;
CREATE TABLE IF NOT EXISTS orig_orders AS SELECT * FROM orders WHERE 0;
`;

export const DATA_TABLES = [
  'users', 'payment_methods', 'orders', 'products', 'variants', 'warehouses', 'inventory',
  'shipping_rules', 'tracking', 'idempotency', 'orig_users', 'orig_orders', 'meta',
] as const;
