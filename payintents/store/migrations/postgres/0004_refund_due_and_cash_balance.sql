-- Refunds that change later (pending -> succeeded, succeeded -> failed): when the scheduler
-- next acts on one.
ALTER TABLE refunds ADD COLUMN due_at BIGINT;
CREATE INDEX refunds_due ON refunds (due_at) WHERE due_at IS NOT NULL;

-- Customer cash balance transactions (funded, applied_to_payment, unapplied_from_payment).
CREATE TABLE customer_cash_balance_transactions (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  customer TEXT,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX customer_cash_balance_transactions_page
  ON customer_cash_balance_transactions (scope, created, seq);
CREATE INDEX customer_cash_balance_transactions_customer
  ON customer_cash_balance_transactions (scope, customer, created, seq);
