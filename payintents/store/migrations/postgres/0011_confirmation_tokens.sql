-- ConfirmationTokens (Stripe.js createConfirmationToken, the test helper): the wire object in
-- data; in private what the API never shows (the tokenized payment details a PaymentMethod is
-- made from when the token is used, the client_context checked then). Read by id only; the
-- page index is every object table's.
CREATE TABLE confirmation_tokens (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX confirmation_tokens_page ON confirmation_tokens (scope, created, seq);
