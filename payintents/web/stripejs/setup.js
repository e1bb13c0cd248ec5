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
};

// Where a customer returns after confirmSetup: Stripe's query parameters on return_url.
function setupReturnUrl(url, intent) {
  var target = new URL(url, location.href);
  var status = {
    succeeded: 'succeeded',
    processing: 'processing',
    requires_payment_method: 'failed',
  }[intent.status] || 'pending';
  target.searchParams.append('setup_intent', intent.id);
  target.searchParams.append('setup_intent_client_secret', intent.client_secret);
  target.searchParams.append('redirect_status', status);
  return target.toString();
}

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
  options = options || {};
  var kind = INTENTS.setup_intent;
  var elements = options.elements;
  var clientSecret = options.clientSecret || (elements && elements._options.clientSecret);
  var confirmParams = options.confirmParams || {};
  var redirect = options.redirect || 'always';
  secretOrThrow(kind, clientSecret, 'stripe.confirmSetup');
  if (redirect === 'always' && !confirmParams.return_url) {
    throw IntegrationError(
      'stripe.confirmSetup(): the `confirmParams.return_url` argument is required unless ' +
        "passing `redirect: 'if_required'`"
    );
  }
  if (elements && elements._options.mode && !elements._submitted) {
    throw IntegrationError(
      'elements.submit() must be called before stripe.confirmSetup(). Call elements.submit() ' +
        'as soon as your customer presses the button, prior to any asynchronous work.'
    );
  }
  var element = null;
  if (!confirmParams.payment_method) {
    element = elements && elements.getElement('payment');
    if (!element) {
      throw IntegrationError(
        'stripe.confirmSetup(): pass `elements` holding a mounted Payment Element, or ' +
          '`confirmParams.payment_method`.'
      );
    }
  }
  var params = Object.assign({}, confirmParams, { use_stripe_sdk: true });
  return this._confirm(kind, clientSecret, params, element, true).then(function (result) {
    if (result.error) {
      if (element && result.error.type !== 'validation_error') {
        element._call('showError', { message: result.error.message });
      }
      return result;
    }
    if (redirect === 'if_required') return result;
    window.location.assign(setupReturnUrl(confirmParams.return_url, result.setupIntent));
    return never();
  });
};

Stripe.prototype.verifyMicrodepositsForSetup = function (clientSecret, data) {
  var kind = INTENTS.setup_intent;
  var id = secretOrThrow(kind, clientSecret, 'stripe.verifyMicrodepositsForSetup');
  var params = Object.assign({ client_secret: clientSecret }, data || {});
  return this._api.request('POST', kind.path + id + '/verify_microdeposits', params)
    .then(function (resp) {
      return resp.body.error ? { error: resp.body.error } : resultOf(kind, resp.body);
    });
};
