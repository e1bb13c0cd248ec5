-- The Search API for charges: its query fields as columns (store/base.py KINDS "charge"
-- computes them on every write), their indexes, and the charges' metadata.
ALTER TABLE charges ADD COLUMN status TEXT;
ALTER TABLE charges ADD COLUMN currency TEXT;
ALTER TABLE charges ADD COLUMN amount INTEGER;
ALTER TABLE charges ADD COLUMN refunded INTEGER;
ALTER TABLE charges ADD COLUMN disputed INTEGER;
-- billing_details.address.postal_code, ASCII-lowercased.
ALTER TABLE charges ADD COLUMN postal_code TEXT;
-- payment_method_details.type, and the fields of payment_method_details.<type> as text.
ALTER TABLE charges ADD COLUMN method_type TEXT;
ALTER TABLE charges ADD COLUMN method_brand TEXT;
ALTER TABLE charges ADD COLUMN method_exp_month TEXT;
ALTER TABLE charges ADD COLUMN method_exp_year TEXT;
ALTER TABLE charges ADD COLUMN method_fingerprint TEXT;
ALTER TABLE charges ADD COLUMN method_last4 TEXT;

UPDATE charges SET
  status = json_extract(CAST(data AS TEXT), '$.status'),
  currency = json_extract(CAST(data AS TEXT), '$.currency'),
  amount = json_extract(CAST(data AS TEXT), '$.amount'),
  refunded = json_extract(CAST(data AS TEXT), '$.refunded'),
  disputed = json_extract(CAST(data AS TEXT), '$.disputed'),
  postal_code = lower(json_extract(CAST(data AS TEXT), '$.billing_details.address.postal_code')),
  method_type = json_extract(CAST(data AS TEXT), '$.payment_method_details.type');
UPDATE charges SET
  method_brand = json_extract(CAST(data AS TEXT), '$.payment_method_details.' || method_type || '.brand'),
  method_exp_month = json_extract(CAST(data AS TEXT), '$.payment_method_details.' || method_type || '.exp_month'),
  method_exp_year = json_extract(CAST(data AS TEXT), '$.payment_method_details.' || method_type || '.exp_year'),
  method_fingerprint = json_extract(CAST(data AS TEXT), '$.payment_method_details.' || method_type || '.fingerprint'),
  method_last4 = json_extract(CAST(data AS TEXT), '$.payment_method_details.' || method_type || '.last4')
  WHERE method_type IS NOT NULL;

-- Each keeps a search's newest-first page order; amount ranges read their own index.
-- (exp_month and exp_year have a dozen values each: the page index finds them.)
CREATE INDEX charges_status ON charges (scope, status, created, seq);
CREATE INDEX charges_currency ON charges (scope, currency, created, seq);
CREATE INDEX charges_amount ON charges (scope, amount);
CREATE INDEX charges_refunded ON charges (scope, refunded, created, seq);
CREATE INDEX charges_disputed ON charges (scope, disputed, created, seq);
CREATE INDEX charges_postal_code ON charges (scope, postal_code, created, seq);
CREATE INDEX charges_method_brand ON charges (scope, method_brand, created, seq);
CREATE INDEX charges_method_fingerprint ON charges (scope, method_fingerprint, created, seq);
CREATE INDEX charges_method_last4 ON charges (scope, method_last4, created, seq);

INSERT INTO search_metadata (kind, scope, object_id, key, value)
  SELECT 'charge', c.scope, c.id, m.key, lower(m.value)
  FROM charges c, json_each(CAST(c.data AS TEXT), '$.metadata') m
  WHERE m.type = 'text';
