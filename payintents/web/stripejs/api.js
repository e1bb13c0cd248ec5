/* The API client the library and the Elements' frames share: Stripe's wire protocol from a
   browser. Like Stripe.js it sends no Authorization header: the publishable key is the form
   parameter `key`, and the body is form-encoded, so no CORS preflight is needed. */

var CONNECTION_ERROR =
  'An error occurred with our connection to Stripe. Request was retried 0 times.';

// {a: {b: [1, 2]}} -> [['a[b][0]', '1'], ['a[b][1]', '2']]; null and undefined are left out.
function encodeForm(params, prefix, out) {
  out = out || [];
  Object.keys(params).forEach(function (name) {
    var value = params[name];
    var key = prefix ? prefix + '[' + name + ']' : name;
    if (value === undefined || value === null) return;
    if (typeof value === 'object') encodeForm(value, key, out);
    else out.push([key, String(value)]);
  });
  return out;
}

// Objects merged key by key; `extra`'s values win.
function deepMerge(base, extra) {
  var out = Object.assign({}, base);
  Object.keys(extra || {}).forEach(function (name) {
    var a = out[name];
    var b = extra[name];
    var both = a && b && typeof a === 'object' && typeof b === 'object';
    out[name] = both && !Array.isArray(b) ? deepMerge(a, b) : b;
  });
  return out;
}

// Resolves with {status, body}: the HTTP status and the JSON answer (a Stripe error body
// with status 0 where the server could not be reached).
function apiClient(baseUrl, key, apiVersion) {
  return {
    key: key,
    request: function (method, path, params) {
      var form = encodeForm(Object.assign({}, params, { key: key }));
      if (apiVersion) form.push(['_stripe_version', apiVersion]);
      var query = new URLSearchParams(form).toString();
      var url = baseUrl + path;
      var init = { method: method, credentials: 'omit' };
      if (method === 'GET') {
        url += '?' + query;
      } else {
        init.headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
        init.body = query;
      }
      return fetch(url, init).then(
        function (resp) {
          return resp.json().then(function (body) {
            return { status: resp.status, body: body };
          });
        },
        function () {
          return {
            status: 0,
            body: { error: { type: 'api_connection_error', message: CONNECTION_ERROR } },
          };
        }
      );
    },
  };
}
