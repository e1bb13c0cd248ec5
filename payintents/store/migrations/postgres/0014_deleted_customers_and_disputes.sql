-- Customers deleted with DELETE /v1/customers/:id: what retrieving them still answers.
CREATE TABLE deleted_customers (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX deleted_customers_page ON deleted_customers (scope, created, seq);

-- Disputes of charges (the dispute test cards); due_at: when a submitted dispute is decided.
CREATE TABLE disputes (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  charge TEXT,
  payment_intent TEXT,
  due_at BIGINT,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX disputes_page ON disputes (scope, created, seq);
CREATE INDEX disputes_charge ON disputes (scope, charge, created, seq);
CREATE INDEX disputes_payment_intent ON disputes (scope, payment_intent, created, seq);
CREATE INDEX disputes_due ON disputes (due_at) WHERE due_at IS NOT NULL;
