/* The Elements group (`stripe.elements()`) and its Elements, each an iframe on the server's
   origin (card_frame.html, payment_frame.html) that talks to the page with postMessage. The
   card details stay in the frame: the frame itself sends them to the API (Element._send). */

var FRAMES = {
  card: 'card_frame.html',
  cardNumber: 'card_frame.html',
  cardExpiry: 'card_frame.html',
  cardCvc: 'card_frame.html',
  payment: 'payment_frame.html',
};
// The events an Element takes listeners for (@stripe/react-stripe-js attaches some of the
// later ones where a prop asks); the frames send ready, change, focus and blur.
// The iframes' titles, as Stripe's (suites select the Payment Element's by it).
var TITLES = {
  card: 'Secure card payment input frame',
  cardNumber: 'Secure card number input frame',
  cardExpiry: 'Secure expiration date input frame',
  cardCvc: 'Secure CVC input frame',
  payment: 'Secure payment input frame',
};
var EVENTS = ['ready', 'change', 'focus', 'blur', 'escape', 'click', 'loaderror', 'loaderstart',
  'networkschange'];
var nextFrame = 0;
var nextRequest = 0;
// Frames by name: the one window listener hands each message to its Element.
var mounted = {};

window.addEventListener('message', function (event) {
  var msg = event.data;
  if (event.origin !== BASE_ORIGIN || !msg || msg.__payintents !== 'element') return;
  var element = mounted[msg.frame];
  if (element) element._receive(msg);
});

function Elements(stripe, options) {
  this._stripe = stripe;
  this._options = Object.assign({}, options);
  this._elements = [];
  this._submitted = false;
  this._group = 'group' + Math.random().toString(36).slice(2);
}

// A type, or a React component of @stripe/react-stripe-js (which names its type).
function elementType(type) {
  return type && typeof type !== 'string' ? type.__elementType : type;
}

Elements.prototype.create = function (type, options) {
  if (!FRAMES[type]) {
    throw IntegrationError(
      'A valid Element name must be provided. payintents supports: ' +
        Object.keys(FRAMES).join(', ') + '. You specified: ' + type + '.'
    );
  }
  if (this.getElement(type)) {
    throw IntegrationError('Can only create one Element of type ' + type + '.');
  }
  if (type === 'payment' && !this._options.clientSecret && !this._options.mode) {
    throw IntegrationError(
      'In order to create a payment element, you must pass a valid PaymentIntent or ' +
        'SetupIntent client secret, or a mode, when creating the Elements group.'
    );
  }
  var element = new Element(this, type, options || {});
  this._elements.push(element);
  return element;
};

Elements.prototype.getElement = function (type) {
  var wanted = elementType(type);
  for (var i = 0; i < this._elements.length; i++) {
    if (this._elements[i]._type === wanted) return this._elements[i];
  }
  return null;
};

Elements.prototype.update = function (options) {
  Object.assign(this._options, options || {});
  var group = this._options;
  this._elements.forEach(function (element) {
    element._call('updateGroup', group);
  });
};

// Reads the intent again (its amount, its payment method types) and redraws the Elements.
Elements.prototype.fetchUpdates = function () {
  var calls = this._elements.map(function (element) {
    return element._call('fetchUpdates', {});
  });
  return Promise.all(calls).then(function () {
    return {};
  });
};

// Validates what the customer entered, before the page creates the intent (deferred flow)
// or a ConfirmationToken: {} or {error} with the first field's validation error.
Elements.prototype.submit = function () {
  var self = this;
  var target = this._paymentElement();
  if (!target) {
    return Promise.resolve({
      error: { type: 'validation_error', message: 'There is no Element to submit.' },
    });
  }
  return target._call('validate', {}).then(function (result) {
    if (!result.error) self._submitted = true;
    return result.error ? { error: result.error } : {};
  });
};

// The Element holding the payment details: the Payment Element, or a Card Element.
Elements.prototype._paymentElement = function () {
  return this.getElement('payment') || this.getElement('card') || this.getElement('cardNumber');
};

// Where the split card elements share their fields: the group's frames on one channel.
Elements.prototype._frameConfig = function (element) {
  var group = this._options;
  return {
    id: element._frameName,
    type: element._type,
    key: this._stripe._key,
    apiVersion: this._stripe._apiVersion,
    origin: location.origin,
    group: this._group,
    options: element._options,
    elements: {
      clientSecret: group.clientSecret,
      mode: group.mode,
      amount: group.amount,
      currency: group.currency,
      paymentMethodTypes: group.paymentMethodTypes,
      appearance: group.appearance,
      locale: group.locale,
    },
  };
};

function Element(group, type, options) {
  this._group = group;
  this._type = type;
  this._options = options;
  this._listeners = {};
  this._frameName = '__privateStripeFrame' + (5000 + nextFrame++);
  this._iframe = null;
  this._container = null;
  this._destroyed = false;
  this._ready = null;
  this._pending = {};
  this._state = { empty: true, complete: false, focused: false, error: undefined };
}

Element.prototype.mount = function (target) {
  this._alive();
  var node = typeof target === 'string' ? document.querySelector(target) : target;
  if (!node || !node.appendChild) {
    throw IntegrationError(
      'The selector you specified (' + target + ') applies to no DOM elements that are ' +
        'currently on the page. Make sure the element exists on the page before calling mount().'
    );
  }
  if (this._iframe) this.unmount();
  var self = this;
  var holder = document.createElement('div');
  holder.className = '__PrivateStripeElement';
  holder.style.cssText = 'margin:0;padding:0;border:none;display:block;background:transparent;' +
    'position:relative;opacity:1';
  var iframe = document.createElement('iframe');
  iframe.name = this._frameName;
  iframe.title = TITLES[this._type];
  iframe.setAttribute('frameborder', '0');
  iframe.setAttribute('allowtransparency', 'true');
  iframe.setAttribute('scrolling', 'no');
  iframe.setAttribute('role', 'presentation');
  iframe.setAttribute('allow', 'payment *');
  iframe.style.cssText = 'border:none!important;margin:0!important;padding:0!important;' +
    'width:1px!important;min-width:100%!important;overflow:hidden!important;display:block!important;' +
    'user-select:none!important;height:' + (this._type === 'payment' ? '240px' : '24px');
  var config = this._group._frameConfig(this);
  iframe.src = BASE_URL + '/v3/' + FRAMES[this._type] + '#' + encodeURIComponent(JSON.stringify(config));
  this._ready = new Promise(function (resolve) {
    self._markReady = resolve;
  });
  holder.appendChild(iframe);
  node.appendChild(holder);
  this._container = node;
  this._iframe = iframe;
  mounted[this._frameName] = this;
  this._paintClasses();
};

Element.prototype.unmount = function () {
  this._alive();
  if (!this._iframe) return;
  delete mounted[this._frameName];
  this._iframe.parentNode.parentNode.removeChild(this._iframe.parentNode);
  this._clearClasses();
  this._iframe = null;
  this._container = null;
};

Element.prototype.destroy = function () {
  if (this._destroyed) return;
  if (this._iframe) this.unmount();
  this._destroyed = true;
  var list = this._group._elements;
  list.splice(list.indexOf(this), 1);
};

Element.prototype.update = function (options) {
  this._alive();
  Object.assign(this._options, options || {});
  this._call('update', options || {});
};

Element.prototype.focus = function () {
  this._alive();
  if (this._iframe) this._iframe.focus();
  this._call('focus', {});
};

Element.prototype.blur = function () {
  this._alive();
  this._call('blur', {});
};

Element.prototype.clear = function () {
  this._alive();
  this._call('clear', {});
};

Element.prototype.on = function (event, handler) {
  if (EVENTS.indexOf(event) < 0) {
    throw IntegrationError(
      'Invalid event: ' + event + '. payintents supports ' + EVENTS.join(', ') + '.'
    );
  }
  (this._listeners[event] = this._listeners[event] || []).push(handler);
  return this;
};
Element.prototype.addEventListener = Element.prototype.on;

Element.prototype.once = function (event, handler) {
  var self = this;
  function once(payload) {
    self.off(event, once);
    handler(payload);
  }
  return this.on(event, once);
};

Element.prototype.off = function (event, handler) {
  var list = this._listeners[event] || [];
  this._listeners[event] = handler
    ? list.filter(function (h) {
        return h !== handler;
      })
    : [];
  return this;
};
Element.prototype.removeEventListener = Element.prototype.off;

Element.prototype._alive = function () {
  if (this._destroyed) {
    throw IntegrationError('This Element has already been destroyed. Please create a new one.');
  }
};

Element.prototype._emit = function (event, payload) {
  (this._listeners[event] || []).slice().forEach(function (handler) {
    handler(payload);
  });
};

// Ask the frame to do something; resolves with its answer once it is ready.
Element.prototype._call = function (action, args) {
  var self = this;
  if (!this._iframe) {
    return Promise.resolve({
      error: {
        type: 'invalid_request_error',
        message: 'The ' + this._type + ' Element is not mounted.',
      },
    });
  }
  return this._ready.then(function () {
    return new Promise(function (resolve) {
      var id = 'req' + nextRequest++;
      self._pending[id] = resolve;
      self._iframe.contentWindow.postMessage(
        { __payintents: 'call', action: action, args: args, requestId: id },
        BASE_ORIGIN
      );
    });
  });
};

// Send a request from the frame, with the details it holds: under `prefix` of the params
// (`payment_method_data` for a confirm or a ConfirmationToken), or at the top (`''`, a
// PaymentMethod). Resolves with {status, body}, or {status: 0, body: {error}} when the details
// do not validate (Stripe's validation_error).
Element.prototype._send = function (path, params, prefix) {
  return this._call('send', { path: path, params: params, prefix: prefix });
};

Element.prototype._receive = function (msg) {
  var payload = Object.assign({ elementType: this._type }, msg.payload || {});
  if (msg.event === 'reply') {
    var resolve = this._pending[msg.requestId];
    delete this._pending[msg.requestId];
    if (resolve) resolve(msg.result);
    return;
  }
  if (msg.event === 'resize') {
    if (this._iframe) this._iframe.style.height = msg.height + 'px';
    return;
  }
  if (msg.event === 'ready') this._markReady();
  if (msg.event === 'change') {
    this._state.empty = payload.empty;
    this._state.complete = payload.complete;
    this._state.error = payload.error;
  }
  if (msg.event === 'focus') this._state.focused = true;
  if (msg.event === 'blur') this._state.focused = false;
  this._paintClasses();
  this._emit(msg.event, payload);
};

// The classes Stripe.js puts on the element's container, which checkouts style; the
// `classes` option renames them.
var DEFAULT_CLASSES = {
  base: 'StripeElement',
  empty: 'StripeElement--empty',
  focus: 'StripeElement--focus',
  complete: 'StripeElement--complete',
  invalid: 'StripeElement--invalid',
};

Element.prototype._classes = function () {
  return Object.assign({}, DEFAULT_CLASSES, this._options.classes || {});
};

Element.prototype._paintClasses = function () {
  if (!this._container) return;
  var list = this._container.classList;
  var state = this._state;
  var names = this._classes();
  list.add(names.base);
  list.toggle(names.empty, !!state.empty);
  list.toggle(names.focus, !!state.focused);
  list.toggle(names.complete, !!state.complete);
  list.toggle(names.invalid, !!state.error);
};

Element.prototype._clearClasses = function () {
  var list = this._container.classList;
  var names = this._classes();
  Object.keys(names).forEach(function (state) {
    list.remove(names[state]);
  });
};
