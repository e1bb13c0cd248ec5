-- The Search API: metadata of searchable kinds, one row per (object, key), written in the same
-- transaction as the object (store/search.py). Values are ASCII-lowercased: `:` ignores case.
CREATE TABLE search_metadata (
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  object_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (object_id, key)
);
CREATE INDEX search_metadata_lookup ON search_metadata (kind, scope, key, value, object_id);

-- Search clauses on currency and amount (customer and status have theirs since 0001).
CREATE INDEX payment_intents_currency ON payment_intents (scope, currency, created, seq);
CREATE INDEX payment_intents_amount ON payment_intents (scope, amount);

-- Backfill from the intents stored before this migration (ASCII-only folding, as in SQLite).
-- jsonb cannot hold NUL: an intent whose JSON has an escaped NUL is left out of the backfill
-- rather than failing the migration; its next update indexes it.
INSERT INTO search_metadata (kind, scope, object_id, key, value)
  SELECT 'payment_intent', p.scope, p.id, m.key,
    translate(m.value, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
  FROM payment_intents p,
    jsonb_each_text(convert_from(p.data, 'UTF8')::jsonb -> 'metadata') m
  WHERE strpos(convert_from(p.data, 'UTF8'), '\u0000') = 0 AND m.value IS NOT NULL;

-- Customers: name and phone as columns for their search clauses; email `:` ignores case.
ALTER TABLE customers ADD COLUMN name TEXT, ADD COLUMN phone TEXT;
UPDATE customers SET
  name = convert_from(data, 'UTF8')::jsonb ->> 'name',
  phone = convert_from(data, 'UTF8')::jsonb ->> 'phone'
  WHERE strpos(convert_from(data, 'UTF8'), '\u0000') = 0;
CREATE INDEX customers_email_search ON customers (scope, lower(email), created, seq);
INSERT INTO search_metadata (kind, scope, object_id, key, value)
  SELECT 'customer', c.scope, c.id, m.key,
    translate(m.value, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
  FROM customers c,
    jsonb_each_text(convert_from(c.data, 'UTF8')::jsonb -> 'metadata') m
  WHERE strpos(convert_from(c.data, 'UTF8'), '\u0000') = 0 AND m.value IS NOT NULL;
