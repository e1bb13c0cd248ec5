/* What every Element's frame shares: its settings (from the page, in the URL's fragment), the
   API client with the page's publishable key, and the messages to and from the page. A frame
   script defines `frameElement_` with collect() and the actions it supports. */

var CONFIG = JSON.parse(decodeURIComponent(location.hash.slice(1)));
var FRAME_BASE = location.href.slice(0, location.href.indexOf('/v3/'));
var API = apiClient(FRAME_BASE, CONFIG.key, CONFIG.apiVersion);
var PARENT_ORIGIN = CONFIG.origin && CONFIG.origin !== 'null' ? CONFIG.origin : '*';
var FRAME_USER_AGENT = 'stripe.js/payintents; stripe-js-v3/payintents; ' +
  (CONFIG.type === 'payment' ? 'payment-element' : 'card-element');

function tellPage(event, payload, extra) {
  var msg = Object.assign({ __payintents: 'element', frame: CONFIG.id, event: event,
    payload: payload }, extra || {});
  window.parent.postMessage(msg, PARENT_ORIGIN);
}

// The page sizes the iframe to the frame's content.
function watchHeight() {
  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      tellPage('resize', null, { height: height });
    }
  }
  new ResizeObserver(report).observe(document.documentElement);
  report();
}

// collect(final) -> {error} or {data: payment method details, mandate: whether the type needs
// one}; the frame sends a request
// with them merged into `params` under `prefix` (see Element._send in elements.js).
function sendWithDetails(frame, args) {
  var collected = frame.collect('submit');
  if (collected.error) return Promise.resolve({ status: 0, body: { error: collected.error } });
  var data = Object.assign({}, collected.data, { payment_user_agent: FRAME_USER_AGENT });
  var params = args.prefix
    ? Object.assign({}, args.params, { [args.prefix]: deepMerge(data, args.params[args.prefix]) })
    : deepMerge(data, args.params);
  // A bank debit's mandate, accepted by the customer here: the server records the browser's
  // address and user agent, as Stripe does for Stripe.js.
  if (args.prefix && collected.mandate && !params.mandate_data && !params.mandate) {
    params.mandate_data = {
      customer_acceptance: { type: 'online', online: { infer_from_client: true } },
    };
  }
  return API.request('POST', args.path, params);
}

function serveFrame(frame) {
  var actions = Object.assign({
    send: function (args) {
      return sendWithDetails(frame, args);
    },
    validate: function () {
      var collected = frame.collect('submit');
      return collected.error ? { error: collected.error } : {};
    },
    updateGroup: function () {},
    fetchUpdates: function () {},
    showError: function () {},
  }, frame.actions);
  window.addEventListener('message', function (event) {
    var msg = event.data;
    if (event.source !== window.parent || !msg || msg.__payintents !== 'call') return;
    var action = actions[msg.action];
    Promise.resolve(action ? action(msg.args || {}) : {}).then(function (result) {
      tellPage('reply', null, { requestId: msg.requestId, result: result });
    });
  });
  watchHeight();
}

// Focus and blur of the frame's fields, as the page's Element reports them.
function watchFocus(root) {
  var inside = false;
  root.addEventListener('focusin', function () {
    if (!inside) tellPage('focus', {});
    inside = true;
  });
  root.addEventListener('focusout', function (event) {
    if (event.relatedTarget && root.contains(event.relatedTarget)) return;
    inside = false;
    tellPage('blur', {});
  });
}
