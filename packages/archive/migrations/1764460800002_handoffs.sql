-- Up Migration
-- Handoffs to a person, archived when they close (resolved, or returned to the agent): the
-- record and everything said while the person owned the conversation. Redis prunes closed
-- handoff records after HANDOFF_RETENTION_HOURS; this is where they are kept after that.
-- id = the query that handed off.
CREATE TABLE handoffs (
  id              text PRIMARY KEY,
  conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  reason          text,
  summary         text,
  state           text NOT NULL,
  claimed_by      text,
  created_at      timestamptz NOT NULL,
  claimed_at      timestamptz,
  closed_at       timestamptz
);
CREATE INDEX handoffs_conversation ON handoffs (conversation_id, created_at);

-- What was said while the person owned the conversation, in order: the customer, the
-- operator's replies, internal notes, steward's own notices (sender `system`).
CREATE TABLE handoff_messages (
  handoff_id      text NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
  seq             integer NOT NULL,
  conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  sender          text NOT NULL,
  operator        text,
  content         text NOT NULL,
  query_id        text,
  at              timestamptz NOT NULL,
  PRIMARY KEY (handoff_id, seq)
);

-- Down Migration
DROP TABLE IF EXISTS handoff_messages, handoffs;
