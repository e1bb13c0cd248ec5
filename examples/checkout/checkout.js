// The shop's checkout, as Stripe's quickstart writes it: the server creates the PaymentIntent,
// the Payment Element collects the details, confirmPayment pays and returns to /complete.
const stripe = Stripe(window.PUBLISHABLE_KEY);
let elements;

async function initialize() {
  const response = await fetch('/create-payment-intent', { method: 'POST', body: '{}' });
  const { clientSecret } = await response.json();
  elements = stripe.elements({ clientSecret, appearance: { theme: 'stripe' } });
  const paymentElement = elements.create('payment', { layout: 'tabs' });
  paymentElement.on('ready', () => { document.querySelector('#submit').disabled = false; });
  paymentElement.mount('#payment-element');
}

async function handleSubmit(event) {
  event.preventDefault();
  const button = document.querySelector('#submit');
  button.disabled = true;
  const { error } = await stripe.confirmPayment({
    elements,
    confirmParams: { return_url: new URL('/complete', location.href).toString() },
  });
  // Only an immediate error comes back here; otherwise the browser is on its way to /complete.
  document.querySelector('#payment-message').textContent = error.message;
  button.disabled = false;
}

document.querySelector('#payment-form').addEventListener('submit', handleSubmit);
initialize();
