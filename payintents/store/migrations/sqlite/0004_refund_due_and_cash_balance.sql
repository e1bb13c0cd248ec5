-- Refunds that change later (pending -> succeeded, succeeded -> failed): when the scheduler
-- next acts on one.
ALTER TABLE refunds ADD COLUMN due_at INTEGER;
CREATE INDEX refunds_due ON refunds (due_at) WHERE due_at IS NOT NULL;

-- Customer cash balance transactions (funded, applied_to_payment, unapplied_from_payment).
CREATE TABLE customer_cash_balance_transactions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created INTEGER NOT NULL,
  customer TEXT,
  data TEXT NOT NULL,
  private TEXT
);
CREATE INDEX customer_cash_balance_transactions_page
  ON customer_cash_balance_transactions (scope, created, seq);
CREATE INDEX customer_cash_balance_transactions_customer
  ON customer_cash_balance_transactions (scope, customer, created, seq);
