-- Stripe objects, one table per kind: data is the wire JSON, private what the API never shows.
-- Pages are keyset reads on (scope, [filter,] created, seq).
-- data/private are orjson's UTF-8 bytes in bytea, not jsonb: no JSON parsing on the server,
-- the keys keep the order they were written in (jsonb reorders them, which would change the
-- wire output), and binary transfer hands orjson the bytes as they are. For ad-hoc queries:
-- convert_from(data, 'UTF8')::jsonb.
CREATE TABLE payment_intents (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  customer TEXT,
  status TEXT,
  currency TEXT,
  amount BIGINT,
  -- when the scheduler next acts on it: authorization expiry, settlement, microdeposit timeout
  due_at BIGINT,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX payment_intents_page ON payment_intents (scope, created, seq);
CREATE INDEX payment_intents_due ON payment_intents (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX payment_intents_customer ON payment_intents (scope, customer, created, seq);
CREATE INDEX payment_intents_status ON payment_intents (scope, status, created, seq);

CREATE TABLE charges (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  payment_intent TEXT,
  customer TEXT,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX charges_page ON charges (scope, created, seq);
CREATE INDEX charges_payment_intent ON charges (scope, payment_intent, created, seq);
CREATE INDEX charges_customer ON charges (scope, customer, created, seq);

CREATE TABLE refunds (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  payment_intent TEXT,
  charge TEXT,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX refunds_page ON refunds (scope, created, seq);
CREATE INDEX refunds_payment_intent ON refunds (scope, payment_intent, created, seq);
CREATE INDEX refunds_charge ON refunds (scope, charge, created, seq);

CREATE TABLE payment_methods (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  customer TEXT,
  type TEXT,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX payment_methods_page ON payment_methods (scope, created, seq);
CREATE INDEX payment_methods_customer ON payment_methods (scope, customer, created, seq);

CREATE TABLE customers (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  email TEXT,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX customers_page ON customers (scope, created, seq);
CREATE INDEX customers_email ON customers (scope, email, created, seq);

CREATE TABLE events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  type TEXT,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX events_page ON events (scope, created, seq);
CREATE INDEX events_type ON events (scope, type, created, seq);

CREATE TABLE webhook_endpoints (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX webhook_endpoints_page ON webhook_endpoints (scope, created, seq);
