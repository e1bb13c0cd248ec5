/* The Card Element (`card`: number, expiry, CVC and ZIP on one line) and the split ones
   (`cardNumber`, `cardExpiry`, `cardCvc`, one field each). Split Elements of one group share
   their values on a BroadcastChannel of the group's frames (all on this origin); the
   cardNumber frame is the one that sends the card to the API. */

var TYPE = CONFIG.type;
var OPTIONS = CONFIG.options || {};
var FIELDS = {
  card: OPTIONS.hidePostalCode ? ['number', 'expiry', 'cvc'] : ['number', 'expiry', 'cvc', 'postal'],
  cardNumber: ['number'],
  cardExpiry: ['expiry'],
  cardCvc: ['cvc'],
}[TYPE];
var INPUTS = {
  number: document.getElementById('cardnumber'),
  expiry: document.getElementById('exp-date'),
  cvc: document.getElementById('cvc'),
  postal: document.getElementById('postal'),
};
var ICON = document.getElementById('icon');
// A field left by the customer shows its "incomplete" error; typing in it hides it again.
var left = {};
// The other split Elements' values, by field.
var siblings = {};
var channel = TYPE === 'card' ? null : new BroadcastChannel('payintents:' + CONFIG.group);
var lastChange = null;
var ready = false;

Object.keys(INPUTS).forEach(function (field) {
  INPUTS[field].hidden = FIELDS.indexOf(field) < 0;
});
ICON.hidden = TYPE === 'card' ? !!OPTIONS.hideIcon : !(TYPE === 'cardNumber' && OPTIONS.showIcon);
if (OPTIONS.placeholder && FIELDS.length === 1) INPUTS[FIELDS[0]].placeholder = OPTIONS.placeholder;
if (OPTIONS.value && OPTIONS.value.postalCode) INPUTS.postal.value = OPTIONS.value.postalCode;

function applyStyle(style) {
  var base = (style && style.base) || {};
  var root = document.documentElement.style;
  if (base.color) root.setProperty('--color', base.color);
  if (base.fontSize) root.setProperty('--font-size', base.fontSize);
  if (base.fontFamily) root.setProperty('--font-family', base.fontFamily);
  if (base['::placeholder'] && base['::placeholder'].color) {
    root.setProperty('--placeholder', base['::placeholder'].color);
  }
  if (style && style.invalid && style.invalid.color) root.setProperty('--invalid', style.invalid.color);
}
applyStyle(OPTIONS.style);

function applyDisabled() {
  FIELDS.forEach(function (field) {
    INPUTS[field].disabled = !!OPTIONS.disabled;
  });
}
applyDisabled();

function value(field) {
  if (FIELDS.indexOf(field) >= 0) return INPUTS[field].value;
  return siblings[field] ? siblings[field].value : '';
}

function stage(field, final) {
  if (final === 'submit') return 'submit';
  return left[field] ? 'blur' : false;
}

// Every field's check, in order; `final` 'submit' checks them all as if pressed Pay.
function checks(final) {
  var digits = digitsOf(value('number'));
  var brand = brandOf(digits).brand;
  var wanted = TYPE === 'card' ? FIELDS : ['number', 'expiry', 'cvc'];
  var out = {
    number: checkNumber(digits, stage('number', final)),
    expiry: checkExpiry(value('expiry'), new Date(), stage('expiry', final)),
    cvc: checkCvc(value('cvc'), siblings.brand || brand, stage('cvc', final)),
    postal: checkPostal(value('postal'), 'US', stage('postal', final)),
  };
  return { brand: brand, wanted: wanted, results: out };
}

function render(state) {
  FIELDS.forEach(function (field) {
    INPUTS[field].classList.toggle('invalid', !!state.results[field].error);
  });
  ICON.dataset.brand = state.brand;
  ICON.classList.toggle('invalid', !!state.results.number.error);
}

// What the page's `change` event carries.
function changePayload(state) {
  var mine = FIELDS.map(function (f) { return state.results[f]; });
  var error = null;
  mine.forEach(function (r) { error = error || r.error; });
  var payload = {
    empty: FIELDS.every(function (f) { return !INPUTS[f].value; }),
    complete: mine.every(function (r) { return r.complete; }),
    error: error || undefined,
  };
  if (TYPE === 'card' || TYPE === 'cardNumber') payload.brand = state.brand;
  if (TYPE === 'card') payload.value = { postalCode: INPUTS.postal.value };
  return payload;
}

function update(final) {
  var state = checks(final);
  render(state);
  var payload = changePayload(state);
  var text = JSON.stringify(payload);
  // No change event for the state the Element starts in, as on Stripe.
  if (text !== lastChange) {
    if (ready) tellPage('change', payload);
    lastChange = text;
  }
  if (channel) {
    FIELDS.forEach(function (field) {
      channel.postMessage({ field: field, value: INPUTS[field].value, brand: state.brand });
    });
  }
  return state;
}

var NEXT = { number: 'expiry', expiry: 'cvc', cvc: 'postal' };

function formatField(field, event) {
  var input = INPUTS[field];
  var deleting = event && event.inputType && event.inputType.indexOf('delete') === 0;
  if (field === 'number') input.value = formatNumber(digitsOf(input.value));
  if (field === 'expiry') input.value = formatExpiry(input.value, deleting);
  if (field === 'cvc') input.value = digitsOf(input.value).slice(0, 4);
}

FIELDS.forEach(function (field) {
  var input = INPUTS[field];
  input.addEventListener('input', function (event) {
    formatField(field, event);
    left[field] = false;
    var state = update(false);
    var next = NEXT[field];
    if (state.results[field].complete && next && FIELDS.indexOf(next) >= 0 && !INPUTS[next].value) {
      INPUTS[next].focus();
    }
  });
  input.addEventListener('blur', function () {
    left[field] = true;
    update(false);
  });
});
watchFocus(document.getElementById('row'));

if (channel) {
  channel.onmessage = function (event) {
    var msg = event.data;
    if (msg.hello) {
      update(false);
      return;
    }
    if (msg.submit) {
      update('submit');
      return;
    }
    siblings[msg.field] = { value: msg.value };
    if (msg.field === 'number') siblings.brand = msg.brand;
    if (TYPE === 'cardCvc') update(false);
  };
  channel.postMessage({ hello: true });
}

function collect(final) {
  if (channel) channel.postMessage({ submit: true });
  var state = update(final);
  var firstError = null;
  state.wanted.forEach(function (field) {
    firstError = firstError || state.results[field].error;
  });
  if (firstError) return { error: firstError };
  var expiry = state.results.expiry;
  var data = {
    type: 'card',
    card: {
      number: digitsOf(value('number')),
      exp_month: expiry.month,
      exp_year: expiry.year,
      cvc: digitsOf(value('cvc')),
    },
  };
  if (FIELDS.indexOf('postal') >= 0 && INPUTS.postal.value) {
    data.billing_details = { address: { postal_code: INPUTS.postal.value.trim() } };
  }
  return { data: data };
}

serveFrame({
  collect: collect,
  actions: {
    focus: function () {
      INPUTS[FIELDS[0]].focus();
      return {};
    },
    blur: function () {
      if (document.activeElement) document.activeElement.blur();
      return {};
    },
    clear: function () {
      FIELDS.forEach(function (field) {
        INPUTS[field].value = '';
        left[field] = false;
      });
      update(false);
      return {};
    },
    update: function (options) {
      Object.assign(OPTIONS, options);
      applyStyle(OPTIONS.style);
      applyDisabled();
      if (options.value && options.value.postalCode !== undefined) {
        INPUTS.postal.value = options.value.postalCode;
        update(false);
      }
      return {};
    },
  },
});
update(false);
ready = true;
tellPage('ready', {});
