/* SetupIntents: saving a payment method for later, with Stripe.js's result shapes
   ({setupIntent} or {error}, the error naming `setup_intent`). The intent kind below is what
   confirm.js's shared code (confirm, next actions, handleNextAction of a `seti_` secret) needs;
   3-D Secure on setup opens the same modal as a payment's. */

INTENTS.setup_intent = {
  name: 'setup_intent',
  prefix: 'seti_',
  path: '/v1/setup_intents/',
  result: 'setupIntent',
  lastError: 'last_setup_error',
  presses: 'presses the button',
};

Stripe.prototype.retrieveSetupIntent = function (clientSecret) {
  secretOrThrow(INTENTS.setup_intent, clientSecret, 'retrieveSetupIntent');
  return this._retrieve(INTENTS.setup_intent, clientSecret);
};

Stripe.prototype.confirmCardSetup = confirmWith(
  'card', 'stripe.confirmCardSetup', INTENTS.setup_intent
);
Stripe.prototype.confirmSepaDebitSetup = confirmWith(
  'sepa_debit', 'stripe.confirmSepaDebitSetup', INTENTS.setup_intent
);
Stripe.prototype.confirmUsBankAccountSetup = confirmWith(
  'us_bank_account', 'stripe.confirmUsBankAccountSetup', INTENTS.setup_intent
);

// The Payment Element's setup: elements({clientSecret: 'seti_…'}) or, deferred,
// elements({mode: 'setup', currency}) with the intent's secret given here.
Stripe.prototype.confirmSetup = function (options) {
  return confirmWithElements(this, INTENTS.setup_intent, options, 'stripe.confirmSetup');
};

Stripe.prototype.verifyMicrodepositsForSetup = verifyMicrodepositsWith(
  INTENTS.setup_intent, 'stripe.verifyMicrodepositsForSetup'
);
