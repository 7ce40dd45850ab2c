-- Up Migration
-- The archive of steward's conversations. Free text is stored as the deployment's policy says
-- (redacted by default); the verified customer id and order ids are kept unredacted because
-- they are how operators find a conversation and how erasure finds a customer's rows.

CREATE TABLE conversations (
  id            text PRIMARY KEY,
  customer_id   text,
  channel       text,
  language      text,
  started_at    timestamptz NOT NULL,
  last_at       timestamptz NOT NULL
);
CREATE INDEX conversations_customer ON conversations (customer_id, last_at DESC);
CREATE INDEX conversations_last_at ON conversations (last_at DESC);

CREATE TABLE queries (
  id              text PRIMARY KEY,
  conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  customer_id     text,
  channel         text,
  language        text,
  text            text,
  answer          text,
  outcome         text,
  reason          text,
  turns           integer,
  tool_calls      integer,
  input_tokens    integer,
  output_tokens   integer,
  cost_usd        numeric(14, 6),
  trace_id        text,
  created_at      timestamptz NOT NULL,
  completed_at    timestamptz
);
CREATE INDEX queries_conversation ON queries (conversation_id, created_at);
CREATE INDEX queries_completed ON queries (completed_at);

-- Customer and agent messages; id = `{queryId}:user` / `{queryId}:assistant`, so a replayed
-- event writes the same row.
CREATE TABLE messages (
  id              text PRIMARY KEY,
  conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  query_id        text NOT NULL,
  role            text NOT NULL,
  content         text NOT NULL,
  at              timestamptz NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, at, role DESC);

-- Every step of the ReAct loop: LLM calls (thought, proposal, tokens, cost), tool calls
-- (arguments, result, error, latency), controller decisions (loop warnings, confirmations),
-- handoffs and denials. id = the event id.
CREATE TABLE steps (
  id              text PRIMARY KEY,
  conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  query_id        text NOT NULL,
  kind            text NOT NULL,
  turn            integer,
  idx             integer,
  name            text,
  thought         text,
  arguments       jsonb,
  result          text,
  error           text,
  ok              boolean,
  latency_ms      integer,
  input_tokens    integer,
  output_tokens   integer,
  cost_usd        numeric(14, 6),
  at              timestamptz NOT NULL
);
CREATE INDEX steps_query ON steps (query_id, turn, idx);
CREATE INDEX steps_at ON steps (at);

-- The audit trail of writes made on the customer's behalf (non-read-only tools).
CREATE TABLE writes (
  id               text PRIMARY KEY,
  conversation_id  text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  query_id         text NOT NULL,
  tool             text NOT NULL,
  arguments        jsonb,
  idempotency_key  text NOT NULL,
  result           text,
  ok               boolean,
  at               timestamptz NOT NULL
);
CREATE INDEX writes_query ON writes (query_id);

-- Order ids seen in a conversation (message text, tool arguments, tool results): lookup by order.
CREATE TABLE conversation_orders (
  conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  order_id        text NOT NULL,
  PRIMARY KEY (conversation_id, order_id)
);
CREATE INDEX conversation_orders_order ON conversation_orders (order_id);

-- Every event as received (redacted per policy), unknown types included: the debug trace is
-- rebuilt from these once Redis no longer has it.
CREATE TABLE events (
  id              text PRIMARY KEY,
  type            text NOT NULL,
  conversation_id text REFERENCES conversations (id) ON DELETE CASCADE,
  query_id        text,
  at              timestamptz NOT NULL,
  data            jsonb NOT NULL
);
CREATE INDEX events_query ON events (query_id, at);
CREATE INDEX events_at ON events (at);

-- Erasures: that one happened, when, and how much it removed; nothing about the customer.
CREATE TABLE erasures (
  id              bigserial PRIMARY KEY,
  erased_at       timestamptz NOT NULL DEFAULT now(),
  requested_by    text,
  rows_removed    integer NOT NULL,
  redis_removed   integer NOT NULL
);
-- Conversations erased (random business ids): a late event of one is not archived again.
CREATE TABLE erased_conversations (
  conversation_id text PRIMARY KEY,
  erased_at       timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE IF EXISTS erased_conversations, erasures, events, conversation_orders, writes, steps, messages, queries, conversations;
