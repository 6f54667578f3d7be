// The page an e-mail verification link opens (AUTH-9). The token travels in
// the URL fragment, which browsers never send to a server; this script reads
// it, removes it from the address bar and history at once, and sends it only
// in the body of verifyEmail when the user presses the button (so a mail
// scanner that opens links does not confirm the address by itself).
// No inline script: CSP is script-src 'self'.
'use strict';

(function () {
  const form = document.getElementById('verify-form');
  const status = document.getElementById('verify-status');
  const button = document.getElementById('verify-submit');

  function say(text) {
    status.textContent = text;
  }

  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (window.location.hash) {
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  if (!token) {
    say('This link is incomplete. Open the link from the e-mail again.');
    return;
  }
  form.hidden = false;

  const messages = {
    invalid_token: 'This link is no longer valid: it was already used, has expired, or was never issued. Change the address again to get a new one.',
    conflict: 'Another user of your account already has this address.',
    busy: 'The server is busy. Please try again in a moment.',
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    say('Confirming…');
    try {
      const res = await fetch('/v1/me/email/verify', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token }),
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
      });
      if (res.ok) {
        form.hidden = true;
        say('Your e-mail address is confirmed. Sign in with it from now on.');
        return;
      }
      let code = '';
      try { code = (await res.json()).code || ''; } catch (e) { code = ''; }
      say(messages[code] || 'The address could not be confirmed. Please try again.');
      if (code === 'invalid_token' || code === 'conflict') form.hidden = true;
    } catch (e) {
      say('The server could not be reached. Please try again.');
    } finally {
      button.disabled = false;
    }
  });
}());
