// The page an e-mailed reset link opens (AUTH-6). The token travels in the
// URL fragment, which browsers never send to a server; this script reads it,
// removes it from the address bar and history at once, and sends it only in
// the body of completePasswordReset. No inline script: CSP is script-src 'self'.
'use strict';

(function () {
  const form = document.getElementById('reset-form');
  const status = document.getElementById('reset-status');
  const pw = document.getElementById('new-password');
  const pw2 = document.getElementById('confirm-password');
  const button = document.getElementById('reset-submit');

  function say(text) {
    status.textContent = text;
  }

  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = params.get('token');
  // Clear the fragment so the token does not stay in the address bar or history.
  if (window.location.hash) {
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  if (!token) {
    say('This link is incomplete. Open the link from the e-mail again, or ask for a new one.');
    return;
  }
  form.hidden = false;

  const messages = {
    invalid_token: 'This link is no longer valid: it was already used, has expired, or was never issued. Ask for a new one.',
    password_policy: 'This password does not meet the password policy. Choose a longer one that is not easy to guess.',
    validation_failed: 'Please fill in the new password.',
    busy: 'The server is busy. Please try again in a moment.',
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (pw.value !== pw2.value) {
      say('The two passwords differ.');
      return;
    }
    button.disabled = true;
    say('Saving…');
    try {
      const res = await fetch('/v1/password-reset/complete', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token, new_password: pw.value }),
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
      });
      if (res.ok) {
        form.hidden = true;
        pw.value = '';
        pw2.value = '';
        say('Your password was changed. Every session was signed out; sign in again with the new password.');
        return;
      }
      let code = '';
      try { code = (await res.json()).code || ''; } catch (e) { code = ''; }
      say(messages[code] || 'The password could not be changed. Please try again.');
      if (code === 'invalid_token') form.hidden = true;
    } catch (e) {
      say('The server could not be reached. Please try again.');
    } finally {
      button.disabled = false;
    }
  });
}());
