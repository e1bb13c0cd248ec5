/* The methods that confirm intents and handle their next actions, with Stripe.js's result
   shapes: {paymentIntent} or {error}. An intent kind (INTENTS) says where its endpoints are and
   what its results are named, so SetupIntents (confirmSetup, confirmCardSetup,
   retrieveSetupIntent, handleNextAction of a `seti_` secret) are an entry and a few methods. */

var INTENTS = {
  payment_intent: { name: 'payment_intent', prefix: 'pi_', path: '/v1/payment_intents/',
    result: 'paymentIntent', lastError: 'last_payment_error', presses: 'presses pay' },
};

function kindOf(clientSecret) {
  var names = Object.keys(INTENTS);
  for (var i = 0; i < names.length; i++) {
    if (intentIdOf(clientSecret, INTENTS[names[i]].prefix)) return INTENTS[names[i]];
  }
  return null;
}

function secretOrThrow(kind, clientSecret, method) {
  var id = intentIdOf(clientSecret, kind.prefix);
  if (!id) {
    throw IntegrationError(
      'Invalid value for ' + method + ': clientSecret should be a client secret of the form ' +
        '${id}_secret_${secret}. You specified: ' + clientSecret + '.'
    );
  }
  return id;
}

function never() {
  return new Promise(function () {});
}

function resultOf(kind, body) {
  var out = {};
  out[kind.result] = body;
  return out;
}

Stripe.prototype._retrieve = function (kind, clientSecret) {
  var id = intentIdOf(clientSecret, kind.prefix);
  return this._api
    .request('GET', kind.path + id, { client_secret: clientSecret, is_stripe_sdk: 'false' })
    .then(function (resp) {
      return resp.body.error ? { error: resp.body.error } : resultOf(kind, resp.body);
    });
};

// An intent after its action: a failed authentication is the error Stripe.js resolves with.
function outcome(kind, intent) {
  if (intent.status === 'requires_payment_method' && intent[kind.lastError]) {
    var error = Object.assign({}, intent[kind.lastError]);
    error[kind.name] = intent;
    return { error: error };
  }
  return resultOf(kind, intent);
}

// Handles the intent's next action: 3-D Secure in the modal (then the intent is read again),
// a redirect by leaving the page. Other actions (microdeposits, bank transfer instructions)
// are the page's to show: the intent is the result.
Stripe.prototype._handleAction = function (kind, intent, clientSecret) {
  var self = this;
  var action = intent.next_action || {};
  if (action.type === 'use_stripe_sdk' && action.use_stripe_sdk.stripe_js) {
    return openChallenge(action.use_stripe_sdk.stripe_js).then(function () {
      return self._retrieve(kind, clientSecret).then(function (read) {
        return read.error ? read : outcome(kind, read[kind.result]);
      });
    });
  }
  if (action.type === 'redirect_to_url') {
    window.location.assign(action.redirect_to_url.url);
    return never();
  }
  return Promise.resolve(resultOf(kind, intent));
};

// POST .../confirm, from the page or (with an Element) from the Element's frame, which adds
// the details it holds as `payment_method_data`; then the next action, unless told not to.
Stripe.prototype._confirm = function (kind, clientSecret, params, element, handleActions) {
  var self = this;
  var id = intentIdOf(clientSecret, kind.prefix);
  var path = kind.path + id + '/confirm';
  var form = Object.assign({}, params, { client_secret: clientSecret });
  var sent = element
    ? element._send(path, form, 'payment_method_data')
    : this._api.request('POST', path, form);
  return sent.then(function (resp) {
    if (resp.body.error) return { error: resp.body.error };
    var intent = resp.body;
    if (intent.status === 'requires_action' && handleActions) {
      return self._handleAction(kind, intent, clientSecret);
    }
    return resultOf(kind, intent);
  });
};

function isElement(value) {
  return value instanceof Element;
}

// `data` of confirmCardPayment & co: `payment_method` as an id, an Element with billing
// details, or raw details of `type`; the other keys are confirm parameters as they are.
function paymentParams(data, type) {
  var params = {};
  var element = null;
  Object.keys(data || {}).forEach(function (name) {
    if (name !== 'payment_method') params[name] = data[name];
  });
  var pm = data && data.payment_method;
  if (typeof pm === 'string') {
    params.payment_method = pm;
  } else if (pm) {
    var details = Object.assign({ type: type }, pm);
    if (isElement(pm[type])) {
      element = pm[type];
      delete details[type];
    }
    params.payment_method_data = details;
  }
  return { params: params, element: element };
}

// Where a customer returns after confirmPayment: Stripe's query parameters on return_url.
function returnUrl(url, kind, intent) {
  var target = new URL(url, location.href);
  var status = {
    succeeded: 'succeeded',
    requires_capture: 'succeeded',
    processing: 'processing',
    requires_payment_method: 'failed',
  }[intent.status] || 'pending';
  target.searchParams.append(kind.name, intent.id);
  target.searchParams.append(kind.name + '_client_secret', intent.client_secret);
  target.searchParams.append('redirect_status', status);
  return target.toString();
}

Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
  secretOrThrow(INTENTS.payment_intent, clientSecret, 'retrievePaymentIntent');
  return this._retrieve(INTENTS.payment_intent, clientSecret);
};

var BANK_DEBITS = ['sepa_debit', 'us_bank_account'];
var INFERRED_MANDATE = { customer_acceptance: { type: 'online', online: { infer_from_client: true } } };

// `kind`: the intent the method confirms (a PaymentIntent unless named; setup.js names its own).
function confirmWith(type, method, kind) {
  kind = kind || INTENTS.payment_intent;
  return function (clientSecret, data, options) {
    secretOrThrow(kind, clientSecret, method);
    var handleActions = !options || options.handleActions !== false;
    var built = paymentParams(data, type);
    var params = Object.assign({ expected_payment_method_type: type }, built.params);
    // Stripe.js handles 3-D Secure itself, unless the page redirects for it (return_url).
    params.use_stripe_sdk = handleActions || !params.return_url;
    // New bank details are debited under the customer's acceptance, given in this browser.
    if (BANK_DEBITS.indexOf(type) >= 0 && params.payment_method_data && !params.mandate_data) {
      params.mandate_data = INFERRED_MANDATE;
    }
    if (!built.element && type === 'card' && params.payment_method_data) {
      throw IntegrationError(
        method + ': payment_method.card should be a card Element (or use a PaymentMethod id).'
      );
    }
    return this._confirm(kind, clientSecret, params, built.element, handleActions);
  };
}

Stripe.prototype.confirmCardPayment = confirmWith('card', 'stripe.confirmCardPayment');
Stripe.prototype.confirmSepaDebitPayment = confirmWith(
  'sepa_debit', 'stripe.confirmSepaDebitPayment'
);
Stripe.prototype.confirmUsBankAccountPayment = confirmWith(
  'us_bank_account', 'stripe.confirmUsBankAccountPayment'
);

// confirmPayment and confirmSetup: the Payment Element's intent (or confirmParams.payment_method),
// then the browser sent to return_url unless redirect is 'if_required'.
function confirmWithElements(stripe, kind, options, method) {
  options = options || {};
  var elements = options.elements;
  var clientSecret = options.clientSecret || (elements && elements._options.clientSecret);
  var confirmParams = options.confirmParams || {};
  var redirect = options.redirect || 'always';
  secretOrThrow(kind, clientSecret, method);
  if (redirect === 'always' && !confirmParams.return_url) {
    throw IntegrationError(
      method + "(): the `confirmParams.return_url` argument is required unless " +
        "passing `redirect: 'if_required'`"
    );
  }
  if (elements && elements._options.mode && !elements._submitted) {
    throw IntegrationError(
      'elements.submit() must be called before ' + method + '(). Call elements.submit() ' +
        'as soon as your customer ' + kind.presses + ', prior to any asynchronous work.'
    );
  }
  var element = null;
  if (!confirmParams.payment_method) {
    element = elements && elements.getElement('payment');
    if (!element) {
      throw IntegrationError(
        method + '(): pass `elements` holding a mounted Payment Element, or ' +
          '`confirmParams.payment_method`.'
      );
    }
  }
  var params = Object.assign({}, confirmParams, { use_stripe_sdk: true });
  return stripe._confirm(kind, clientSecret, params, element, true).then(function (result) {
    if (result.error) {
      // A decline shows in the element; a validation error is already under its field.
      if (element && result.error.type !== 'validation_error') {
        element._call('showError', { message: result.error.message });
      }
      return result;
    }
    if (redirect === 'if_required') return result;
    window.location.assign(returnUrl(confirmParams.return_url, kind, result[kind.result]));
    return never();
  });
}

Stripe.prototype.confirmPayment = function (options) {
  return confirmWithElements(this, INTENTS.payment_intent, options, 'stripe.confirmPayment');
};

// A bank account entered by hand (verify_with_microdeposits): the amounts or the descriptor
// code the customer read on their statement.
function verifyMicrodepositsWith(kind, method) {
  return function (clientSecret, data) {
    var id = secretOrThrow(kind, clientSecret, method);
    var params = Object.assign({ client_secret: clientSecret }, data || {});
    return this._api.request('POST', kind.path + id + '/verify_microdeposits', params)
      .then(function (resp) {
        return resp.body.error ? { error: resp.body.error } : resultOf(kind, resp.body);
      });
  };
}

Stripe.prototype.verifyMicrodepositsForPayment = verifyMicrodepositsWith(
  INTENTS.payment_intent, 'stripe.verifyMicrodepositsForPayment'
);

// The next action of an intent the server confirmed (its own confirm, or manual confirmation).
Stripe.prototype.handleNextAction = function (options) {
  var clientSecret = options && options.clientSecret;
  var kind = kindOf(clientSecret) || INTENTS.payment_intent;
  secretOrThrow(kind, clientSecret, 'stripe.handleNextAction');
  var self = this;
  return this._retrieve(kind, clientSecret).then(function (read) {
    if (read.error) return read;
    var intent = read[kind.result];
    if (intent.status !== 'requires_action') {
      var error = {
        type: 'invalid_request_error',
        code: 'unexpected_state',
        message: 'The ' + kind.name.replace('_', ' ') + ' is in the ' + intent.status +
          ' state: it has no next action to handle.',
      };
      error[kind.name] = intent;
      return { error: error };
    }
    return self._handleAction(kind, intent, clientSecret);
  });
};

Stripe.prototype.handleCardAction = function (clientSecret) {
  secretOrThrow(INTENTS.payment_intent, clientSecret, 'stripe.handleCardAction');
  return this.handleNextAction({ clientSecret: clientSecret });
};

// createPaymentMethod({type, card: element, billing_details}), the older
// createPaymentMethod('card', element, {billing_details}), and
// createPaymentMethod({elements, params}) with the Payment Element.
Stripe.prototype.createPaymentMethod = function (first, element, extra) {
  var data = typeof first === 'string'
    ? Object.assign({ type: first }, extra || {}, isElement(element) ? { card: element } : {})
    : Object.assign({}, first || {});
  var source = null;
  var params;
  if (data.elements) {
    source = data.elements._paymentElement();
    params = Object.assign({}, data.params || {});
  } else {
    params = Object.assign({}, data);
    var type = params.type;
    if (type && isElement(params[type])) {
      source = params[type];
      delete params[type];
    }
  }
  var sent = source
    ? source._send('/v1/payment_methods', params, '')
    : this._api.request('POST', '/v1/payment_methods', params);
  return sent.then(function (resp) {
    return resp.body.error ? { error: resp.body.error } : { paymentMethod: resp.body };
  });
};

// The details the Payment Element holds, as a ConfirmationToken the server confirms with.
Stripe.prototype.createConfirmationToken = function (options) {
  var elements = options && options.elements;
  var element = elements && elements._paymentElement();
  if (!element) {
    throw IntegrationError(
      'stripe.createConfirmationToken(): pass `elements` holding a mounted Payment Element.'
    );
  }
  var params = Object.assign({}, options.params || {});
  return element._send('/v1/confirmation_tokens', params, 'payment_method_data').then(
    function (resp) {
      return resp.body.error ? { error: resp.body.error } : { confirmationToken: resp.body };
    }
  );
};

// The Tokens API (/v1/tokens) is not served here: an honest error, not a token.
Stripe.prototype.createToken = function () {
  return Promise.resolve({
    error: {
      type: 'invalid_request_error',
      message: 'payintents does not serve the Tokens API (/v1/tokens): use ' +
        'stripe.createPaymentMethod or stripe.createConfirmationToken instead.',
    },
  });
};
