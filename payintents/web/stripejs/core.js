/* window.Stripe: the constructor a page calls with its publishable key, as with js.stripe.com.
   The other modules add the Elements (elements.js), the 3-D Secure modal (modal.js) and the
   confirm methods (confirm.js) to what it returns. BASE_URL, the server's public URL, is
   rendered in by the server when it serves the script. */

var BASE_ORIGIN = new URL(BASE_URL).origin;
var USER_AGENT = 'stripe.js/payintents; stripe-js-v3/payintents';

// What Stripe.js throws for a mistake in the integration (not for a declined card).
function IntegrationError(message) {
  var err = new Error(message);
  err.name = 'IntegrationError';
  return err;
}

function Stripe(key, options) {
  if (!(this instanceof Stripe)) return new Stripe(key, options);
  if (typeof key !== 'string' || key === '') {
    throw IntegrationError(
      'Invalid value for Stripe(): apiKey should be a string. You specified: ' + key + '.'
    );
  }
  if (/^(sk|rk)_/.test(key)) {
    throw IntegrationError(
      'You should not use your secret key with Stripe.js. Please pass a publishable key instead.'
    );
  }
  options = options || {};
  this._key = key;
  this._apiVersion = options.apiVersion || null;
  this._api = apiClient(BASE_URL, key, this._apiVersion);
  this._wrappers = [];
}

// @stripe/stripe-js checks the version it was loaded with; 3 is what js.stripe.com/v3 says.
Stripe.version = 3;

// @stripe/stripe-js and @stripe/react-stripe-js say who wraps the library (telemetry only).
Stripe.prototype._registerWrapper = function (wrapper) {
  this._wrappers.push(wrapper);
};
Stripe.prototype.registerAppInfo = function () {};

Stripe.prototype.elements = function (options) {
  return new Elements(this, options || {});
};

// `pi_123_secret_abc` -> `pi_123`; null where it is not a client secret.
function intentIdOf(clientSecret, prefix) {
  if (typeof clientSecret !== 'string') return null;
  var at = clientSecret.indexOf('_secret_');
  var id = at > 0 ? clientSecret.slice(0, at) : '';
  return id.indexOf(prefix) === 0 ? id : null;
}

if (!window.Stripe || !window.Stripe.__payintents) {
  Stripe.__payintents = true;
  window.Stripe = Stripe;
}
