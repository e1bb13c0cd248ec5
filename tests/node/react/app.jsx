// A React checkout as @stripe/react-stripe-js documents it, unchanged: loadStripe (which injects
// js.stripe.com's script tag; the test answers it with payintents' Stripe.js), <Elements>,
// <PaymentElement> or <CardElement>, useStripe and useElements. Bundled by esbuild at test time.
import React, { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { loadStripe } from '@stripe/stripe-js';
import {
  CardElement,
  Elements,
  PaymentElement,
  useElements,
  useStripe,
} from '@stripe/react-stripe-js';

const query = new URLSearchParams(window.location.search);
const stripePromise = loadStripe(query.get('pk'));
const clientSecret = query.get('cs');

function PaymentForm() {
  const stripe = useStripe();
  const elements = useElements();
  const [message, setMessage] = useState('');
  const [status, setStatus] = useState('');

  async function handleSubmit(event) {
    event.preventDefault();
    if (!stripe || !elements) return;
    const { error, paymentIntent } = await stripe.confirmPayment({
      elements,
      confirmParams: { return_url: `${window.location.origin}/return` },
      redirect: 'if_required',
    });
    if (error) setMessage(error.message);
    else setStatus(paymentIntent.status);
  }

  return (
    <form onSubmit={handleSubmit}>
      <PaymentElement onReady={() => setMessage('ready')} />
      <button id="pay" disabled={!stripe}>Pay</button>
      <p id="message">{message}</p>
      <p id="status">{status}</p>
    </form>
  );
}

function CardForm() {
  const stripe = useStripe();
  const elements = useElements();
  const [message, setMessage] = useState('');
  const [status, setStatus] = useState('');

  async function handleSubmit(event) {
    event.preventDefault();
    const { error, paymentIntent } = await stripe.confirmCardPayment(clientSecret, {
      payment_method: { card: elements.getElement(CardElement) },
    });
    if (error) setMessage(error.message);
    else setStatus(paymentIntent.status);
  }

  return (
    <form onSubmit={handleSubmit}>
      <CardElement
        onReady={() => setMessage('ready')}
        onChange={(event) => setMessage(event.error ? event.error.message : '')}
      />
      <button id="pay" disabled={!stripe}>Pay</button>
      <p id="message">{message}</p>
      <p id="status">{status}</p>
    </form>
  );
}

function App() {
  const card = query.get('element') === 'card';
  return (
    <Elements stripe={stripePromise} options={card ? {} : { clientSecret }}>
      {card ? <CardForm /> : <PaymentForm />}
    </Elements>
  );
}

createRoot(document.getElementById('root')).render(<App />);
