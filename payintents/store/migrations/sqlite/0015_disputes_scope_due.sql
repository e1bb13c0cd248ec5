-- An advance of one account's clock moves that account's due disputes (as 0012 does for
-- payment intents and refunds).
CREATE INDEX disputes_scope_due ON disputes (scope, due_at) WHERE due_at IS NOT NULL;
