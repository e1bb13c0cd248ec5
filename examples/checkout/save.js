// Save a card for later, as Stripe's "save payment details" guide writes it: the server creates
// a customer and a SetupIntent, the Payment Element collects the details, confirmSetup saves
// them and returns to /saved; the shop can then charge the card off-session.
const stripe = Stripe(window.PUBLISHABLE_KEY);
let elements;

async function initialize() {
  const response = await fetch('/create-setup-intent', { method: 'POST', body: '{}' });
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
  const { error } = await stripe.confirmSetup({
    elements,
    confirmParams: { return_url: new URL('/saved', location.href).toString() },
  });
  // Only an immediate error comes back here; otherwise the browser is on its way to /saved.
  document.querySelector('#payment-message').textContent = error.message;
  button.disabled = false;
}

document.querySelector('#payment-form').addEventListener('submit', handleSubmit);
initialize();
