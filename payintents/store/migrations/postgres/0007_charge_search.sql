-- The Search API for charges: its query fields as columns (store/base.py KINDS "charge"
-- computes them on every write), their indexes, and the charges' metadata.
ALTER TABLE charges
  ADD COLUMN status TEXT,
  ADD COLUMN currency TEXT,
  ADD COLUMN amount BIGINT,
  ADD COLUMN refunded INTEGER,
  ADD COLUMN disputed INTEGER,
  -- billing_details.address.postal_code, ASCII-lowercased.
  ADD COLUMN postal_code TEXT,
  -- payment_method_details.type, and the fields of payment_method_details.<type> as text.
  ADD COLUMN method_type TEXT,
  ADD COLUMN method_brand TEXT,
  ADD COLUMN method_exp_month TEXT,
  ADD COLUMN method_exp_year TEXT,
  ADD COLUMN method_fingerprint TEXT,
  ADD COLUMN method_last4 TEXT;

-- Backfill (jsonb cannot hold NUL: such a charge is indexed by its next update instead).
UPDATE charges SET
  status = j ->> 'status',
  currency = j ->> 'currency',
  amount = (j ->> 'amount')::bigint,
  refunded = (j ->> 'refunded')::boolean::integer,
  disputed = (j ->> 'disputed')::boolean::integer,
  postal_code = translate(
    j -> 'billing_details' -> 'address' ->> 'postal_code',
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
  method_type = j -> 'payment_method_details' ->> 'type',
  method_brand = j -> 'payment_method_details' -> (j -> 'payment_method_details' ->> 'type') ->> 'brand',
  method_exp_month = j -> 'payment_method_details' -> (j -> 'payment_method_details' ->> 'type') ->> 'exp_month',
  method_exp_year = j -> 'payment_method_details' -> (j -> 'payment_method_details' ->> 'type') ->> 'exp_year',
  method_fingerprint = j -> 'payment_method_details' -> (j -> 'payment_method_details' ->> 'type') ->> 'fingerprint',
  method_last4 = j -> 'payment_method_details' -> (j -> 'payment_method_details' ->> 'type') ->> 'last4'
  FROM (SELECT seq AS s, convert_from(data, 'UTF8')::jsonb AS j FROM charges
        WHERE strpos(convert_from(data, 'UTF8'), '\u0000') = 0) parsed
  WHERE charges.seq = parsed.s;

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
  SELECT 'charge', c.scope, c.id, m.key,
    translate(m.value, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
  FROM charges c,
    jsonb_each_text(convert_from(c.data, 'UTF8')::jsonb -> 'metadata') m
  WHERE strpos(convert_from(c.data, 'UTF8'), '\u0000') = 0 AND m.value IS NOT NULL;
