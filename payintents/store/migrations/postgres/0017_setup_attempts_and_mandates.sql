-- SetupAttempts, one per confirmation of a SetupIntent (GET /v1/setup_attempts?setup_intent=),
-- and the mandates SetupIntents collect for bank debits (what `expand[]=mandate` shows).
CREATE TABLE setup_attempts (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  setup_intent TEXT,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX setup_attempts_page ON setup_attempts (scope, created, seq);
CREATE INDEX setup_attempts_setup_intent ON setup_attempts (scope, setup_intent, created, seq);

CREATE TABLE mandates (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created BIGINT NOT NULL,
  data BYTEA NOT NULL,
  private BYTEA
);
CREATE INDEX mandates_page ON mandates (scope, created, seq);
