// "Log in with ...": shows a button per configured provider (GET /auth-providers), and finishes a login
// that comes back from one: the page is reached with #code=<one-time code>, which is exchanged at
// POST /authentication { strategy: 'oauth-code', code } (the binding cookie goes with it) for the access
// token. The code leaves the address bar first; the token never is in a URL. A failed login comes back as
// ?error=<code> from a fixed list, shown with our own words.

const MESSAGES = {
  access_denied: 'You declined at the provider.',
  provider_error: 'The provider answered with an error.',
  invalid_state: 'That login expired or was started elsewhere: please try again.',
  invalid_redirect: 'That redirect is not allowed.',
  login_failed: "The provider's answer did not verify.",
  provider_unavailable: 'The provider could not be reached.',
  account_conflict: 'That account is already linked to another user.',
  not_authenticated: 'Please log in first.',
  server_error: 'Something failed on the server.',
};

const status = document.getElementById('status');
const show = (text) => {
  status.textContent = text;
  status.classList.add('error');
};

async function finishLogin() {
  const code = new URLSearchParams(location.hash.slice(1)).get('code');
  const error = new URLSearchParams(location.search).get('error');
  if (code === null && error === null) return;
  history.replaceState(null, '', location.pathname);
  if (error !== null) return show(`Login failed: ${MESSAGES[error] ?? MESSAGES.server_error}`);
  const response = await fetch('/authentication', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ strategy: 'oauth-code', code }),
  });
  const result = await response.json().catch(() => null);
  if (!response.ok || typeof result?.accessToken !== 'string')
    return show('Login failed: the login code was refused.');
  // app.js picks the token up on load, as after any reload.
  sessionStorage.setItem('accessToken', result.accessToken);
  location.reload();
}

async function showProviders() {
  const response = await fetch('/auth-providers', { headers: { accept: 'application/json' } });
  if (!response.ok) return;
  const { providers } = await response.json();
  const card = document.getElementById('oauth-card');
  const list = document.getElementById('oauth-providers');
  list.replaceChildren(
    ...providers.map(({ name, label, url }) => {
      const link = document.createElement('a');
      link.className = 'button';
      link.href = url;
      link.dataset.testid = `oauth-${name}`;
      link.textContent = `Log in with ${label}`;
      return link;
    }),
  );
  card.hidden = providers.length === 0;
}

await finishLogin();
await showProviders();
