-- Webhook delivery outbox: one row per (event, endpoint), written in the same transaction as
-- the event, so an event that exists is always delivered (at least once) to every endpoint
-- that matched it when it happened.
CREATE TABLE webhook_deliveries (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id TEXT NOT NULL,
  event_scope TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  -- the endpoint's own scope: the event's, or '*' for the --forward-to endpoint of every account
  endpoint_scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  -- pending (waiting, or claimed by a dispatcher) | succeeded | failed (retries exhausted)
  -- | canceled (endpoint disabled or deleted before delivery)
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  -- wall-clock epoch milliseconds the next attempt is due; while claimed, when the claim lapses
  due_ms BIGINT NOT NULL,
  -- token of the dispatcher holding it; completing requires the same token
  claim TEXT,
  last_status_code INTEGER,
  last_error TEXT,
  delivered_at BIGINT
);
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (event_id, endpoint_id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (due_ms, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, status);

-- Every attempt to post, with its outcome (the `payintents events` command shows them).
CREATE TABLE webhook_attempts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id BIGINT NOT NULL,
  event_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  attempted_ms BIGINT NOT NULL,
  duration_ms INTEGER NOT NULL,
  status_code INTEGER,
  error TEXT,
  succeeded INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
