-- SetupAttempts, one per confirmation of a SetupIntent (GET /v1/setup_attempts?setup_intent=),
-- and the mandates SetupIntents collect for bank debits (what `expand[]=mandate` shows).
CREATE TABLE setup_attempts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created INTEGER NOT NULL,
  setup_intent TEXT,
  data TEXT NOT NULL,
  private TEXT
);
CREATE INDEX setup_attempts_page ON setup_attempts (scope, created, seq);
CREATE INDEX setup_attempts_setup_intent ON setup_attempts (scope, setup_intent, created, seq);

CREATE TABLE mandates (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created INTEGER NOT NULL,
  data TEXT NOT NULL,
  private TEXT
);
CREATE INDEX mandates_page ON mandates (scope, created, seq);
