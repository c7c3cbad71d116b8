// The login page: plain DOM, no framework. It talks to the same API any client would:
//   POST /users (sign up), POST /authentication (log in; { strategy: 'jwt' } re-authenticates),
//   DELETE /authentication (log out, which revokes the token), /messages, the JWKS, and the /ws socket.
// The token is kept in sessionStorage (this tab only) and every user-supplied string is written with
// textContent, never as HTML.

const $ = (id) => document.getElementById(id);
const state = { token: null, payload: null, header: null, user: null, socket: null, timer: null };

// ---- HTTP -----------------------------------------------------------------------------------------

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(data?.message ?? `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

function say(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

// ---- Token panel --------------------------------------------------------------------------------

function decodePart(part) {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) =>
    c.charCodeAt(0),
  );
  return JSON.parse(new TextDecoder().decode(bytes));
}

function useToken(token) {
  const [header, payload] = token.split('.');
  state.token = token;
  state.header = decodePart(header);
  state.payload = decodePart(payload);
  sessionStorage.setItem('accessToken', token);
  $('token-header').textContent = JSON.stringify(state.header, null, 2);
  $('token-claims').textContent = JSON.stringify(state.payload, null, 2);
  $('kid').textContent = state.header.kid ?? '(none)';
  $('expires-at').textContent = `(at ${new Date(state.payload.exp * 1000).toLocaleTimeString()})`;
  tick();
  void showJwks();
}

function tick() {
  if (!state.payload) return;
  const left = Math.max(0, Math.round(state.payload.exp - Date.now() / 1000));
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const pad = (n) => String(n).padStart(2, '0');
  $('countdown').textContent = left === 0 ? 'expired' : `${h > 0 ? `${h}:` : ''}${pad(m)}:${pad(s)}`;
}

async function showJwks() {
  const { keys } = await api('GET', '/.well-known/jwks.json');
  const list = $('jwks');
  list.replaceChildren(
    ...keys.map((key) => {
      const item = document.createElement('li');
      const signing = key.kid === state.header?.kid;
      item.className = signing ? 'signing' : '';
      const code = document.createElement('code');
      code.textContent = key.kid;
      item.append(`${key.alg} ${key.crv ?? key.kty} `, code, signing ? ' (signed your token)' : '');
      return item;
    }),
  );
}

// ---- Messages -----------------------------------------------------------------------------------

function messageItem(message) {
  const item = document.createElement('li');
  item.dataset.id = String(message.id);
  const body = document.createElement('div');
  const text = document.createElement('div');
  text.className = 'text';
  text.textContent = message.text;
  const author = document.createElement('div');
  author.className = 'author';
  author.textContent = `${message.author ?? 'someone'} · ${new Date(message.createdAt).toLocaleTimeString()}`;
  body.append(text, author);
  item.append(body);
  if (String(message.userId) === String(state.user?.id)) {
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.title = 'Delete';
    remove.textContent = '✕';
    remove.addEventListener('click', () =>
      api('DELETE', `/messages/${message.id}`).catch((e) => say(e.message, true)),
    );
    item.append(remove);
  }
  return item;
}

function showMessage(message) {
  const list = $('messages');
  const existing = list.querySelector(`li[data-id="${CSS.escape(String(message.id))}"]`);
  if (existing) existing.replaceWith(messageItem(message));
  else list.append(messageItem(message));
  list.scrollTop = list.scrollHeight;
}

async function loadMessages() {
  const messages = await api('GET', '/messages?$limit=50');
  $('messages').replaceChildren(...messages.reverse().map(messageItem));
}

// ---- WebSocket ----------------------------------------------------------------------------------

function setLive(text, on) {
  $('live').textContent = text;
  $('live').classList.toggle('on', on);
}

function connect() {
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  state.socket = socket;
  socket.addEventListener('open', () => {
    setLive('connecting', false);
    socket.send(JSON.stringify({ type: 'authenticate', strategy: 'jwt', accessToken: state.token }));
  });
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    const handlers = {
      authenticated: () => {
        setLive('live', true);
        useToken(message.accessToken);
      },
      'message-created': () => showMessage(message.message),
      'message-patched': () => showMessage(message.message),
      'message-removed': () =>
        $('messages')
          .querySelector(`li[data-id="${CSS.escape(String(message.message.id))}"]`)
          ?.remove(),
      // The server warns before `exp`: re-authenticating on the open socket extends it with a new token.
      'token-expiring': () => {
        say('Your token expires soon: re-authenticating on the socket.');
        socket.send(JSON.stringify({ type: 'authenticate', strategy: 'jwt', accessToken: state.token }));
      },
      'token-expired': () => {
        setLive('expired', false);
        say('Your token expired: log in again.', true);
      },
      'logged-out': () => setLive('logged out', false),
      error: () => say(`Socket: ${message.error.message}`, true),
    };
    handlers[message.type]?.();
  });
  socket.addEventListener('close', () => {
    if (state.socket === socket) setLive('offline', false);
  });
}

// ---- Signed in / out ----------------------------------------------------------------------------

async function signedIn(token, user) {
  useToken(token);
  state.user = user ?? (await api('GET', '/users/me'));
  $('who').textContent = state.user.email;
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  clearInterval(state.timer);
  state.timer = setInterval(tick, 1000);
  await loadMessages();
  connect();
}

function signedOut(message) {
  state.socket?.close();
  Object.assign(state, { token: null, payload: null, header: null, user: null, socket: null });
  clearInterval(state.timer);
  sessionStorage.removeItem('accessToken');
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
  $('messages').replaceChildren();
  if (message) say(message);
}

function fields(form) {
  return Object.fromEntries(new FormData(form).entries());
}

$('signup-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const { email, password } = fields(event.target);
  try {
    await api('POST', '/users', { email, password });
    const result = await api('POST', '/authentication', { strategy: 'local', email, password });
    say(`Welcome, ${result.user.email}. You are signed up and logged in.`);
    await signedIn(result.accessToken, result.user);
  } catch (error) {
    say(`Sign-up failed: ${error.message}`, true);
  }
});

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const { email, password } = fields(event.target);
  try {
    const result = await api('POST', '/authentication', {
      strategy: 'local',
      email: email.trim().toLowerCase(),
      password,
    });
    say(`Logged in as ${result.user.email}.`);
    await signedIn(result.accessToken, result.user);
  } catch (error) {
    say(`Login failed: ${error.message}`, true);
  }
});

$('refresh').addEventListener('click', async () => {
  try {
    const result = await api('POST', '/authentication', { strategy: 'jwt', accessToken: state.token });
    useToken(result.accessToken);
    state.socket?.send(
      JSON.stringify({ type: 'authenticate', strategy: 'jwt', accessToken: result.accessToken }),
    );
    say('New token issued.');
  } catch (error) {
    say(`Re-authentication failed: ${error.message}`, true);
  }
});

$('logout').addEventListener('click', async () => {
  try {
    await api('DELETE', '/authentication');
    signedOut('Logged out: that token is revoked.');
  } catch (error) {
    signedOut(`Logged out (${error.message}).`);
  }
});

$('message-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    await api('POST', '/messages', { text: fields(form).text });
    form.reset();
  } catch (error) {
    say(`Could not send: ${error.message}`, true);
  }
});

// A reload keeps the session of this tab, if its token is still good.
const saved = sessionStorage.getItem('accessToken');
if (saved) {
  state.token = saved;
  api('GET', '/users/me').then(
    (user) => signedIn(saved, user),
    () => signedOut(),
  );
}
