-- Webhook deliveries of one account: those an advance of its clock makes due, those a reset
-- deletes, and those a webhook fault rule holds back (status 'held', held_by the rule's id,
-- until the rule releases them).
ALTER TABLE webhook_deliveries ADD COLUMN held_by TEXT;
CREATE INDEX webhook_deliveries_scope ON webhook_deliveries (event_scope, status, due_ms);
