/* What the Elements check before anything is sent, with Stripe's own codes and messages:
   card brand from the number's first digits, its length, the Luhn check digit, the
   expiration date and the security code. */

var MESSAGES = {
  incomplete_number: 'Your card number is incomplete.',
  invalid_number: 'Your card number is invalid.',
  incomplete_expiry: "Your card's expiration date is incomplete.",
  invalid_expiry_month: "Your card's expiration date is invalid.",
  invalid_expiry_year_past: "Your card's expiration year is in the past.",
  invalid_expiry_month_past: "Your card's expiration date is in the past.",
  incomplete_cvc: "Your card's security code is incomplete.",
  incomplete_zip: 'Your postal code is incomplete.',
  incomplete_iban: 'Your IBAN is incomplete.',
  invalid_iban: 'Your IBAN is invalid.',
  incomplete_routing_number: 'Your routing number is incomplete.',
  incomplete_account_number: 'Your account number is incomplete.',
  incomplete_name: 'Your full name is incomplete.',
  incomplete_email: 'Your email address is incomplete.',
};

// Brand, number lengths and CVC length; the first pattern that matches wins.
var BRANDS = [
  { brand: 'amex', pattern: /^3[47]/, lengths: [15], cvc: 4 },
  { brand: 'diners', pattern: /^3(0[0-5]|[689])/, lengths: [14, 16], cvc: 3 },
  { brand: 'jcb', pattern: /^35/, lengths: [16], cvc: 3 },
  { brand: 'unionpay', pattern: /^62/, lengths: [16, 17, 18, 19], cvc: 3 },
  { brand: 'discover', pattern: /^(6011|64[4-9]|65)/, lengths: [16], cvc: 3 },
  { brand: 'mastercard', pattern: /^(5[1-5]|2[2-7])/, lengths: [16], cvc: 3 },
  { brand: 'visa', pattern: /^4/, lengths: [16], cvc: 3 },
];
var UNKNOWN = { brand: 'unknown', pattern: /^/, lengths: [16], cvc: 3 };

function validationError(code) {
  return { type: 'validation_error', code: code, message: MESSAGES[code] };
}

function digitsOf(text) {
  return String(text || '').replace(/\D/g, '');
}

function brandOf(digits) {
  for (var i = 0; i < BRANDS.length; i++) {
    if (BRANDS[i].pattern.test(digits)) return BRANDS[i];
  }
  return UNKNOWN;
}

function luhn(digits) {
  var sum = 0;
  for (var i = 0; i < digits.length; i++) {
    var d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

// The number as the customer sees it: 4242 4242 4242 4242, 3782 822463 10005 (amex).
function formatNumber(digits) {
  var info = brandOf(digits);
  var max = Math.max.apply(null, info.lengths);
  digits = digits.slice(0, max);
  var groups = info.brand === 'amex' || info.brand === 'diners' && digits.length === 14
    ? [4, 6, 5] : [4, 4, 4, 4, 3];
  var out = [];
  var at = 0;
  for (var g = 0; g < groups.length && at < digits.length; g++) {
    out.push(digits.slice(at, at + groups[g]));
    at += groups[g];
  }
  return out.join(' ');
}

// Each check answers {complete, error}. `final` is false while typing (only definite errors),
// 'blur' once the field is left (incomplete ones too) or 'submit' (empty ones too).
function checkNumber(digits, final) {
  var info = brandOf(digits);
  if (!digits) {
    return { complete: false, error: final === 'submit' ? validationError('incomplete_number') : null };
  }
  var max = Math.max.apply(null, info.lengths);
  if (info.lengths.indexOf(digits.length) < 0) {
    if (digits.length >= max) return { complete: false, error: validationError('invalid_number') };
    return { complete: false, error: final ? validationError('incomplete_number') : null };
  }
  if (!luhn(digits)) {
    // A shorter length of the brand may still grow into a valid number (unionpay).
    if (digits.length < max && !final) return { complete: false, error: null };
    return { complete: false, error: validationError('invalid_number') };
  }
  return { complete: true, error: null };
}

// `text` as typed: 12/34, 12 / 34, 1234.
function parseExpiry(text) {
  var digits = digitsOf(text);
  if (digits.length === 1 && Number(digits) > 1) digits = '0' + digits;
  return { month: digits.slice(0, 2), year: digits.slice(2, 4) };
}

function formatExpiry(text, deleting) {
  var parts = parseExpiry(text);
  if (!parts.month) return '';
  if (parts.month.length < 2 || (deleting && !parts.year)) return parts.month;
  return parts.month + ' / ' + parts.year;
}

function checkExpiry(text, now, final) {
  var parts = parseExpiry(text);
  var empty = !parts.month;
  if (parts.month.length === 2 && (Number(parts.month) < 1 || Number(parts.month) > 12)) {
    return { complete: false, error: validationError('invalid_expiry_month') };
  }
  if (parts.year.length < 2) {
    return { complete: false, error: final && !empty || final === 'submit' ? validationError('incomplete_expiry') : null };
  }
  var year = 2000 + Number(parts.year);
  var month = Number(parts.month);
  var thisYear = now.getFullYear();
  if (year < thisYear) return { complete: false, error: validationError('invalid_expiry_year_past') };
  if (year === thisYear && month < now.getMonth() + 1) {
    return { complete: false, error: validationError('invalid_expiry_month_past') };
  }
  if (year > thisYear + 50) return { complete: false, error: validationError('invalid_expiry_month') };
  return { complete: true, error: null, month: month, year: year };
}

function checkCvc(text, brand, final) {
  var digits = digitsOf(text);
  var wanted = brand === 'amex' ? 4 : 3;
  if (digits.length >= 3 && digits.length <= wanted) {
    return { complete: digits.length === wanted || brand === 'unknown', error: null };
  }
  return { complete: false, error: final && (digits || final === 'submit') ? validationError('incomplete_cvc') : null };
}

function checkPostal(text, country, final) {
  var value = String(text || '').trim();
  var needed = country === 'US' ? 5 : 3;
  if (country === 'US' ? /^\d{5}(-?\d{4})?$/.test(value) : value.length >= needed) {
    return { complete: true, error: null };
  }
  return { complete: false, error: final && (value || final === 'submit') ? validationError('incomplete_zip') : null };
}
