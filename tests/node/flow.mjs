// Drives payintents with stripe-node the way an application would, and prints what it saw as
// JSON for tests/e2e/test_node_sdk.py to check. Usage: node flow.mjs <base url> <secret key>
import Stripe from "stripe";

const [base, key] = process.argv.slice(2);
const url = new URL(base);
const stripe = new Stripe(key, {
  host: url.hostname,
  port: Number(url.port),
  protocol: url.protocol.replace(":", ""),
  maxNetworkRetries: 2,
});

// What an error looks like to application code catching it.
async function failure(call) {
  try {
    await call();
  } catch (err) {
    return {
      class: err.constructor.name,
      type: err.type,
      status: err.statusCode,
      code: err.code ?? null,
      decline_code: err.decline_code ?? null,
      param: err.param ?? null,
      message: err.message,
      intent_status: err.payment_intent?.status ?? null,
    };
  }
  return null;
}

const seen = {};

const paid = await stripe.paymentIntents.create({
  amount: 2000,
  currency: "usd",
  payment_method: "pm_card_visa",
  payment_method_types: ["card"],
  confirm: true,
});
seen.paid = {
  status: paid.status,
  amount_received: paid.amount_received,
  charge_prefix: paid.latest_charge.slice(0, 3),
};

seen.declined = await failure(() =>
  stripe.paymentIntents.create({
    amount: 2000,
    currency: "usd",
    payment_method: "pm_card_chargeDeclinedInsufficientFunds",
    payment_method_types: ["card"],
    confirm: true,
  }),
);

const params = { amount: 1234, currency: "eur", payment_method_types: ["card"] };
const first = await stripe.paymentIntents.create(params, { idempotencyKey: `${key}-once` });
const again = await stripe.paymentIntents.create(params, { idempotencyKey: `${key}-once` });
seen.replayed_same_id = first.id === again.id;
seen.reused_key = await failure(() =>
  stripe.paymentIntents.create({ ...params, amount: 999 }, { idempotencyKey: `${key}-once` }),
);

const held = await stripe.paymentIntents.create({
  amount: 5000,
  currency: "usd",
  payment_method: "pm_card_mastercard",
  payment_method_types: ["card"],
  capture_method: "manual",
  confirm: true,
});
const captured = await stripe.paymentIntents.capture(held.id, { amount_to_capture: 3000 });
seen.capture = {
  held: held.status,
  capturable: held.amount_capturable,
  status: captured.status,
  received: captured.amount_received,
};

const customer = await stripe.customers.create({ email: "node@example.com" });
for (const amount of [100, 200, 300]) {
  await stripe.paymentIntents.create({
    amount,
    currency: "usd",
    customer: customer.id,
    metadata: { order: `node-${amount}` },
  });
}
const listed = [];
for await (const intent of stripe.paymentIntents.list({ customer: customer.id, limit: 2 })) {
  listed.push(intent.amount);
}
seen.autopaged = listed;

const found = await stripe.paymentIntents.search({ query: 'metadata["order"]:"node-200"' });
seen.search = { object: found.object, amounts: found.data.map((i) => i.amount) };

const challenged = await stripe.paymentIntents.create({
  amount: 700,
  currency: "usd",
  payment_method: "pm_card_threeDSecure2Required",
  payment_method_types: ["card"],
  confirm: true,
  return_url: "https://shop.example/back",
});
seen.three_d_secure = { status: challenged.status, next_action: challenged.next_action.type };

seen.missing = await failure(() => stripe.paymentIntents.retrieve("pi_doesnotexist"));
seen.unknown_param = await failure(() =>
  stripe.paymentIntents.create({ amount: 100, currency: "usd", colour: "red" }),
);

console.log(JSON.stringify(seen));
