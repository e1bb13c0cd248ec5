-- The test controls under /_payintents (payintents/testing, docs/testing-controls.md).
-- One row per account and mode that has used them; a request reads its row once (an index
-- read) for its clock and whether any fault rule may match it. No row: the server's clock,
-- no rules.
CREATE TABLE account_controls (
  scope TEXT PRIMARY KEY,
  -- seconds the account's clock runs ahead of the server's (POST /_payintents/clock/advance)
  clock_offset INTEGER NOT NULL DEFAULT 0,
  -- how many of its fault rules have matches left, on API requests and on webhook deliveries
  request_faults INTEGER NOT NULL DEFAULT 0,
  webhook_faults INTEGER NOT NULL DEFAULT 0
);

-- Fault rules (POST /_payintents/faults), matched in the order they were made.
CREATE TABLE fault_rules (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  -- 'request' (API requests) | 'webhook' (deliveries to one webhook endpoint)
  target TEXT NOT NULL,
  created INTEGER NOT NULL,
  -- the rule as POST /_payintents/faults answers it (JSON)
  rule TEXT NOT NULL,
  remaining INTEGER NOT NULL,
  matched INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX fault_rules_scope ON fault_rules (scope, target, seq);

-- The due work of one account, for an advance of its clock (the scheduler's scan of every
-- account reads the due_at indexes of 0001 and 0004). A due_at column holds the server's
-- time: the account's time minus its clock_offset.
CREATE INDEX payment_intents_scope_due ON payment_intents (scope, due_at) WHERE due_at IS NOT NULL;
CREATE INDEX refunds_scope_due ON refunds (scope, due_at) WHERE due_at IS NOT NULL;
