-- Stripe objects, one table per kind: data is the wire JSON, private what the API never shows.
-- Pages are keyset reads on (scope, [filter,] created, seq).
CREATE TABLE payment_intents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created INTEGER NOT NULL,
  customer TEXT,
  status TEXT,
  currency TEXT,
  amount INTEGER,
  -- when the scheduler next acts on it: authorization expiry, settlement, microdeposit timeout
  due_at INTEGER,
  data TEXT NOT NULL,
  private TEXT
);
CREATE INDEX payment_intents_page ON payment_intents (scope, created, seq);
CREATE INDEX payment_intents_due ON payment_intents (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX payment_intents_customer ON payment_intents (scope, customer, created, seq);
CREATE INDEX payment_intents_status ON payment_intents (scope, status, created, seq);

CREATE TABLE charges (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created INTEGER NOT NULL,
  payment_intent TEXT,
  customer TEXT,
  data TEXT NOT NULL,
  private TEXT
);
CREATE INDEX charges_page ON charges (scope, created, seq);
CREATE INDEX charges_payment_intent ON charges (scope, payment_intent, created, seq);
CREATE INDEX charges_customer ON charges (scope, customer, created, seq);

CREATE TABLE refunds (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created INTEGER NOT NULL,
  payment_intent TEXT,
  charge TEXT,
  data TEXT NOT NULL,
  private TEXT
);
CREATE INDEX refunds_page ON refunds (scope, created, seq);
CREATE INDEX refunds_payment_intent ON refunds (scope, payment_intent, created, seq);
CREATE INDEX refunds_charge ON refunds (scope, charge, created, seq);

CREATE TABLE payment_methods (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created INTEGER NOT NULL,
  customer TEXT,
  type TEXT,
  data TEXT NOT NULL,
  private TEXT
);
CREATE INDEX payment_methods_page ON payment_methods (scope, created, seq);
CREATE INDEX payment_methods_customer ON payment_methods (scope, customer, created, seq);

CREATE TABLE customers (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created INTEGER NOT NULL,
  email TEXT,
  data TEXT NOT NULL,
  private TEXT
);
CREATE INDEX customers_page ON customers (scope, created, seq);
CREATE INDEX customers_email ON customers (scope, email, created, seq);

CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created INTEGER NOT NULL,
  type TEXT,
  data TEXT NOT NULL,
  private TEXT
);
CREATE INDEX events_page ON events (scope, created, seq);
CREATE INDEX events_type ON events (scope, type, created, seq);

CREATE TABLE webhook_endpoints (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created INTEGER NOT NULL,
  data TEXT NOT NULL,
  private TEXT
);
CREATE INDEX webhook_endpoints_page ON webhook_endpoints (scope, created, seq);
