-- SetupIntents (saving a payment method for later). Filtered by customer and payment_method
-- (GET /v1/setup_intents), attach_to_self kept as 0/1; due_at: when a bank account waiting
-- for its microdeposits times out.
CREATE TABLE setup_intents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created INTEGER NOT NULL,
  customer TEXT,
  payment_method TEXT,
  status TEXT,
  attach_to_self INTEGER,
  due_at INTEGER,
  data TEXT NOT NULL,
  private TEXT
);
CREATE INDEX setup_intents_page ON setup_intents (scope, created, seq);
CREATE INDEX setup_intents_customer ON setup_intents (scope, customer, created, seq);
CREATE INDEX setup_intents_payment_method ON setup_intents (scope, payment_method, created, seq);
CREATE INDEX setup_intents_attach_to_self ON setup_intents (scope, attach_to_self, created, seq);
CREATE INDEX setup_intents_due ON setup_intents (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX setup_intents_scope_due ON setup_intents (scope, due_at) WHERE due_at IS NOT NULL;
