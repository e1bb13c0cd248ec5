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

-- Backfill from the intents stored before this migration.
INSERT INTO search_metadata (kind, scope, object_id, key, value)
  SELECT 'payment_intent', p.scope, p.id, m.key, lower(m.value)
  FROM payment_intents p, json_each(CAST(p.data AS TEXT), '$.metadata') m
  WHERE m.type = 'text';

-- Customers: name and phone as columns for their search clauses; email `:` ignores case.
ALTER TABLE customers ADD COLUMN name TEXT;
ALTER TABLE customers ADD COLUMN phone TEXT;
UPDATE customers SET
  name = json_extract(CAST(data AS TEXT), '$.name'),
  phone = json_extract(CAST(data AS TEXT), '$.phone');
CREATE INDEX customers_email_search ON customers (scope, lower(email), created, seq);
INSERT INTO search_metadata (kind, scope, object_id, key, value)
  SELECT 'customer', c.scope, c.id, m.key, lower(m.value)
  FROM customers c, json_each(CAST(c.data AS TEXT), '$.metadata') m
  WHERE m.type = 'text';
