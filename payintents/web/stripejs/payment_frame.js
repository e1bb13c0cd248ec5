/* The Payment Element: a tab for each payment method type the intent allows that payintents
   supports (card, US bank account, SEPA Direct Debit), each with its fields, labels and
   errors under them, as Stripe's Payment Element lays them out. */

var SUPPORTED = {
  card: { label: 'Card', icon: '<svg viewBox="0 0 20 20"><rect x="1.5" y="4" width="17" height="12" rx="2" fill="none" stroke="currentColor" stroke-width="1.5"/><rect x="1.5" y="7" width="17" height="2.2" fill="currentColor"/></svg>' },
  us_bank_account: { label: 'US bank account', icon: '<svg viewBox="0 0 20 20"><path d="M10 2 2 6.5V8h16V6.5L10 2Zm-6 7.5v5h2v-5H4Zm5 0v5h2v-5H9Zm5 0v5h2v-5h-2ZM2 16v2h16v-2H2Z" fill="currentColor"/></svg>' },
  sepa_debit: { label: 'SEPA Debit', icon: '<svg viewBox="0 0 20 20"><path d="M10 2 2 6.5V8h16V6.5L10 2Zm-6 7.5v5h2v-5H4Zm5 0v5h2v-5H9Zm5 0v5h2v-5h-2ZM2 16v2h16v-2H2Z" fill="currentColor"/></svg>' },
};
var GROUP = CONFIG.elements || {};
var OPTIONS = CONFIG.options || {};
var POSTAL_LABELS = { US: 'ZIP code', GB: 'Postal code', CA: 'Postal code' };
var selected = null;
var left = {};
var lastChange = null;
var ready = false;

function pane(type) {
  return document.getElementById('pane-' + type);
}
function field(type, name) {
  return pane(type).querySelector('[data-field="' + name + '"]');
}
function input(type, name) {
  return pane(type).querySelector('[name="' + name + '"]');
}
function val(type, name) {
  return input(type, name).value;
}

function applyAppearance(appearance) {
  var vars = (appearance && appearance.variables) || {};
  var root = document.documentElement.style;
  var map = { colorPrimary: '--primary', colorText: '--color', colorDanger: '--invalid',
    fontFamily: '--font-family', borderRadius: '--radius', colorBackground: '--background',
    fontSizeBase: '--font-size' };
  Object.keys(map).forEach(function (name) {
    if (vars[name]) root.setProperty(map[name], vars[name]);
  });
}

function ibanValid(iban) {
  var text = iban.slice(4) + iban.slice(0, 4);
  var rest = 0;
  for (var i = 0; i < text.length; i++) {
    var code = text.charCodeAt(i);
    var part = code >= 65 ? String(code - 55) : text[i];
    for (var j = 0; j < part.length; j++) rest = (rest * 10 + Number(part[j])) % 97;
  }
  return rest === 1;
}

function need(ok, code, stage, filled) {
  if (ok) return { complete: true, error: null };
  var show = stage === 'submit' || (stage === 'blur' && filled);
  return { complete: false, error: show ? validationError(code) : null };
}

// Each visible field's check of the selected type; `final` as in validation.js.
function checks(type, final) {
  function stage(name) {
    return final === 'submit' ? 'submit' : left[type + name] ? 'blur' : false;
  }
  var out = {};
  if (type === 'card') {
    var digits = digitsOf(val('card', 'number'));
    var country = val('card', 'country');
    out.number = checkNumber(digits, stage('number'));
    out.expiry = checkExpiry(val('card', 'expiry'), new Date(), stage('expiry'));
    out.cvc = checkCvc(val('card', 'cvc'), brandOf(digits).brand, stage('cvc'));
    if (POSTAL_LABELS[country]) out.postalCode = checkPostal(val('card', 'postalCode'), country, stage('postalCode'));
    out.brand = brandOf(digits).brand;
    return out;
  }
  var name = val(type, 'name').trim();
  var email = val(type, 'email').trim();
  out.name = need(name.length > 0, 'incomplete_name', stage('name'), name);
  out.email = need(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email), 'incomplete_email', stage('email'), email);
  if (type === 'us_bank_account') {
    var routing = digitsOf(val(type, 'routingNumber'));
    var account = digitsOf(val(type, 'accountNumber'));
    out.routingNumber = need(routing.length === 9, 'incomplete_routing_number', stage('routingNumber'), routing);
    out.accountNumber = need(account.length >= 4, 'incomplete_account_number', stage('accountNumber'), account);
  } else {
    var iban = val(type, 'iban').replace(/\s/g, '').toUpperCase();
    var long = iban.length >= 15;
    out.iban = long && !ibanValid(iban)
      ? { complete: false, error: validationError('invalid_iban') }
      : need(long, 'incomplete_iban', stage('iban'), iban);
  }
  return out;
}

function fieldNames(results) {
  return Object.keys(results).filter(function (name) { return name !== 'brand'; });
}

function update(final) {
  var results = checks(selected, final);
  fieldNames(results).forEach(function (name) {
    var box = field(selected, name);
    var error = results[name].error;
    box.classList.toggle('invalid', !!error);
    box.querySelector('.error').textContent = error ? error.message : '';
  });
  if (selected === 'card') {
    var country = val('card', 'country');
    field('card', 'postalCode').hidden = !POSTAL_LABELS[country];
    field('card', 'postalCode').querySelector('label').textContent = POSTAL_LABELS[country] || '';
  }
  var inputs = Array.prototype.slice.call(pane(selected).querySelectorAll('input'));
  var payload = {
    empty: inputs.every(function (el) { return !el.value; }),
    complete: fieldNames(results).every(function (name) { return results[name].complete; }),
    collapsed: false,
    value: { type: selected },
  };
  var text = JSON.stringify(payload);
  // No change event for the state the Element starts in, as on Stripe.
  if (text !== lastChange) {
    if (ready) tellPage('change', payload);
    lastChange = text;
  }
  return results;
}

function select(type) {
  selected = type;
  Object.keys(SUPPORTED).forEach(function (name) {
    pane(name).hidden = name !== type;
  });
  Array.prototype.forEach.call(document.querySelectorAll('.tab'), function (tab) {
    tab.setAttribute('aria-selected', String(tab.dataset.type === type));
  });
  document.getElementById('banner').hidden = true;
  update(false);
}

// `paymentMethodOrder` first, in its order; the others after, as the intent lists them.
function ordered(types) {
  var order = OPTIONS.paymentMethodOrder || [];
  function rank(type) {
    var at = order.indexOf(type);
    return at < 0 ? order.length + types.indexOf(type) : at;
  }
  return types.slice().sort(function (a, b) { return rank(a) - rank(b); });
}

function showTypes(types) {
  var usable = ordered(types.filter(function (type) { return SUPPORTED[type]; }));
  if (!usable.length) usable = ['card'];
  var tabs = document.getElementById('tabs');
  tabs.innerHTML = '';
  tabs.hidden = usable.length < 2;
  usable.forEach(function (type) {
    var tab = document.createElement('button');
    tab.type = 'button';
    tab.className = 'tab';
    tab.id = type + '-tab';
    tab.dataset.type = type;
    tab.setAttribute('role', 'tab');
    tab.setAttribute('data-testid', type);
    tab.innerHTML = SUPPORTED[type].icon + '<span>' + SUPPORTED[type].label + '</span>';
    tab.addEventListener('click', function () {
      select(type);
    });
    tabs.appendChild(tab);
  });
  select(usable.indexOf(selected) >= 0 ? selected : usable[0]);
  applyReadOnly();
}

// The types to offer: the intent's, or the deferred group's `paymentMethodTypes` (card alone
// where it names none).
function loadTypes() {
  var secret = GROUP.clientSecret;
  var id = secret && (intentIdOf(secret, 'pi_') || intentIdOf(secret, 'seti_'));
  if (!id) return Promise.resolve(GROUP.paymentMethodTypes || ['card']);
  var path = id.indexOf('seti_') === 0 ? '/v1/setup_intents/' : '/v1/payment_intents/';
  return API.request('GET', path + id, { client_secret: secret })
    .then(function (resp) {
      return resp.body.payment_method_types || ['card'];
    });
}

function intentIdOf(secret, prefix) {
  var at = secret.indexOf('_secret_');
  var id = at > 0 ? secret.slice(0, at) : '';
  return id.indexOf(prefix) === 0 ? id : null;
}

Object.keys(SUPPORTED).forEach(function (type) {
  Array.prototype.forEach.call(pane(type).querySelectorAll('input, select'), function (el) {
    el.addEventListener('input', function (event) {
      var deleting = event.inputType && event.inputType.indexOf('delete') === 0;
      if (el.name === 'number') el.value = formatNumber(digitsOf(el.value));
      if (el.name === 'expiry') el.value = formatExpiry(el.value, deleting);
      if (el.name === 'cvc') el.value = digitsOf(el.value).slice(0, 4);
      left[type + el.name] = false;
      document.getElementById('banner').hidden = true;
      update(false);
    });
    el.addEventListener('change', function () { update(false); });
    el.addEventListener('blur', function () {
      left[type + el.name] = true;
      update(false);
    });
  });
});
watchFocus(document.body);
applyAppearance(GROUP.appearance);

// `defaultValues.billingDetails`: the customer's name, email, country and postal code, filled in.
function applyDefaults() {
  var billing = (OPTIONS.defaultValues && OPTIONS.defaultValues.billingDetails) || {};
  var address = billing.address || {};
  Object.keys(SUPPORTED).forEach(function (type) {
    var name = input(type, 'name');
    var email = input(type, 'email');
    if (name && billing.name) name.value = billing.name;
    if (email && billing.email) email.value = billing.email;
  });
  if (address.country) input('card', 'country').value = address.country;
  if (address.postal_code) input('card', 'postalCode').value = address.postal_code;
}
applyDefaults();

// `readOnly`: the customer cannot change the details (while the page confirms, say).
function applyReadOnly() {
  Array.prototype.forEach.call(document.querySelectorAll('input, select, .tab'), function (el) {
    el.disabled = !!OPTIONS.readOnly;
  });
}
applyReadOnly();

function collect(final) {
  var results = update(final);
  var first = null;
  fieldNames(results).forEach(function (name) {
    first = first || results[name].error;
  });
  if (first) return { error: first };
  if (selected === 'card') {
    var address = { country: val('card', 'country') };
    if (results.postalCode) address.postal_code = val('card', 'postalCode').trim();
    return {
      data: {
        type: 'card',
        card: {
          number: digitsOf(val('card', 'number')),
          exp_month: results.expiry.month,
          exp_year: results.expiry.year,
          cvc: digitsOf(val('card', 'cvc')),
        },
        billing_details: { address: address },
      },
    };
  }
  var data = {
    type: selected,
    billing_details: { name: val(selected, 'name').trim(), email: val(selected, 'email').trim() },
  };
  if (selected === 'us_bank_account') {
    data.us_bank_account = {
      routing_number: digitsOf(val(selected, 'routingNumber')),
      account_number: digitsOf(val(selected, 'accountNumber')),
      account_holder_type: 'individual',
      account_type: 'checking',
    };
  } else {
    data.sepa_debit = { iban: val(selected, 'iban').replace(/\s/g, '').toUpperCase() };
  }
  return { data: data, mandate: true };
}

serveFrame({
  collect: collect,
  actions: {
    focus: function () {
      var first = pane(selected).querySelector('input');
      if (first) first.focus();
      return {};
    },
    blur: function () {
      if (document.activeElement) document.activeElement.blur();
      return {};
    },
    clear: function () {
      Array.prototype.forEach.call(pane(selected).querySelectorAll('input'), function (el) {
        el.value = '';
        left[selected + el.name] = false;
      });
      update(false);
      return {};
    },
    update: function (options) {
      Object.assign(OPTIONS, options);
      applyReadOnly();
      return {};
    },
    updateGroup: function (group) {
      Object.assign(GROUP, group);
      applyAppearance(GROUP.appearance);
      if (group.paymentMethodTypes) showTypes(group.paymentMethodTypes);
      return {};
    },
    fetchUpdates: function () {
      return loadTypes().then(function (types) {
        showTypes(types);
        return {};
      });
    },
    showError: function (args) {
      var banner = document.getElementById('banner');
      banner.textContent = args.message;
      banner.hidden = false;
      return {};
    },
  },
});

loadTypes().then(function (types) {
  showTypes(types);
  ready = true;
  tellPage('ready', {});
});
