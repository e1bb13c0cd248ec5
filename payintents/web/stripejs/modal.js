/* 3-D Secure in a modal over the page, as Stripe.js shows it: a frame of ours
   (challenge_frame.html, named __privateStripeFrame…) holding the server's hosted challenge
   page (its "Complete authentication" and "Fail authentication" buttons) in
   iframe#challengeFrame. The page posts `three_d_secure_done` once answered; the frame passes
   it on, the promise resolves and the caller reads the intent again. */

var nextModal = 0;

function openChallenge(url) {
  return new Promise(function (resolve) {
    var overlay = document.createElement('div');
    overlay.setAttribute('data-payintents', 'three-d-secure-modal');
    overlay.style.cssText = 'position:fixed;inset:0;z-index:2147483647;display:flex;' +
      'align-items:center;justify-content:center;background:rgba(26,31,54,.55);' +
      'backdrop-filter:blur(2px)';
    var box = document.createElement('div');
    box.style.cssText = 'width:min(480px,94vw);height:min(560px,92vh);background:#fff;' +
      'border-radius:12px;overflow:hidden;box-shadow:0 24px 64px rgba(0,0,0,.35)';
    var iframe = document.createElement('iframe');
    iframe.name = '__privateStripeFrame' + (9000 + nextModal++);
    iframe.title = 'Stripe 3D Secure challenge';
    iframe.setAttribute('frameborder', '0');
    iframe.style.cssText = 'width:100%;height:100%;border:0;display:block';
    var page = url + (url.indexOf('?') < 0 ? '?' : '&') + 'stripe_js=1';
    var config = { url: page, origin: location.origin };
    iframe.src = BASE_URL + '/v3/challenge_frame.html#' + encodeURIComponent(JSON.stringify(config));
    box.appendChild(iframe);
    overlay.appendChild(box);
    document.body.appendChild(overlay);

    function done(event) {
      var msg = event.data;
      if (event.origin !== BASE_ORIGIN || event.source !== iframe.contentWindow) return;
      if (!msg || msg.__payintents !== 'three_d_secure_done') return;
      window.removeEventListener('message', done);
      overlay.parentNode.removeChild(overlay);
      resolve(msg.status);
    }
    window.addEventListener('message', done);
  });
}
