-- Idempotency keys: the stored result of a POST, written in the same transaction as the work
-- it did, so a key is never recorded without its work nor its work without the key.
CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  -- "POST /v1/payment_intents": a key is only good for the endpoint it was first used on
  endpoint TEXT NOT NULL,
  -- sha256 of the canonical decoded parameters
  fingerprint TEXT NOT NULL,
  -- server clock (--clock-offset shifts it); keys older than 24 hours are treated as new
  created INTEGER NOT NULL,
  status INTEGER NOT NULL,
  body BLOB NOT NULL,
  request_id TEXT NOT NULL,
  PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created);
