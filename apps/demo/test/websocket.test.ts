// The WebSocket at /ws: authentication by message or handshake header, live messages for authenticated
// sockets only, the expiry warning, re-authentication that extends the socket, de-authentication at exp,
// logout, and bad input answered with an error message instead of a crash.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestSocket } from './socket-client.ts';
import { bearer, listeningDemo, signUpAndLogIn, type TestDemo } from './support.ts';

let demo: TestDemo;
let wsUrl: string;
const sockets: TestSocket[] = [];
// Ten-minute tokens, a warning one minute before exp.
const SHORT_TOKENS = {
  authentication: { jwtOptions: { expiresIn: '10m' }, realtime: { expiryWarning: '1m' } },
};

beforeAll(async () => {
  let base: string;
  ({ demo, base } = await listeningDemo(SHORT_TOKENS));
  wsUrl = `${base.replace('http', 'ws')}/ws`;
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});
afterAll(async () => demo?.dispose());

async function open(headers: Record<string, string> = {}): Promise<TestSocket> {
  const socket = await TestSocket.open(wsUrl, headers);
  sockets.push(socket);
  return socket;
}

async function postMessage(token: string, text: string): Promise<Record<string, unknown>> {
  const response = await demo.app.inject({
    method: 'POST',
    url: '/messages',
    headers: bearer(token),
    payload: { text },
  });
  expect(response.statusCode).toBe(201);
  return response.json();
}

const textsOf = (socket: TestSocket): unknown[] =>
  socket.all('message-created').map((message) => (message.message as { text: unknown }).text);

describe('authentication on the socket', () => {
  it('authenticates with a message and then receives new messages live', async () => {
    const { accessToken, user } = await signUpAndLogIn(demo);
    const socket = await open();
    socket.send({ type: 'authenticate', strategy: 'jwt', accessToken });
    const authenticated = await socket.next('authenticated');
    expect(authenticated.user).toEqual(user);
    expect(authenticated.accessToken).toEqual(expect.stringMatching(/^ey/));

    const message = await postMessage(accessToken, 'live one');
    const created = await socket.next('message-created');
    expect(created.message).toEqual(message);
  });

  it('authenticates with the handshake Authorization header', async () => {
    const { accessToken, user } = await signUpAndLogIn(demo);
    const socket = await open(bearer(accessToken));
    expect((await socket.next('authenticated')).user).toEqual(user);
  });

  it('sends nothing to a socket that has not authenticated', async () => {
    const { accessToken } = await signUpAndLogIn(demo);
    const anonymous = await open();
    const member = await open(bearer(accessToken));
    await member.next('authenticated');
    await postMessage(accessToken, 'members only');
    await member.next('message-created');
    await anonymous.sync();
    expect(anonymous.received).toEqual([]);
  });

  it.each([
    ['a bad token', { type: 'authenticate', strategy: 'jwt', accessToken: 'not.a.token' }, 401],
    ['no token', { type: 'authenticate', strategy: 'jwt' }, 401],
    [
      'a password login of an unknown user',
      { type: 'authenticate', strategy: 'local', email: 'x@example.com', password: 'whatever1' },
      401,
    ],
  ])('answers %s with an error and stays open, unauthenticated', async (_name, message, code) => {
    const { accessToken } = await signUpAndLogIn(demo);
    const socket = await open();
    socket.send(message);
    const error = await socket.next('error');
    expect(error).toMatchObject({ about: 'authenticate', error: { code, name: 'NotAuthenticated' } });
    await postMessage(accessToken, 'not for you');
    await socket.sync();
    expect(socket.all('message-created')).toEqual([]);
  });

  it('answers a refused handshake token with an error', async () => {
    const socket = await open({ authorization: 'Bearer a b' });
    expect(await socket.next('error')).toMatchObject({
      error: { code: 401, data: { reason: 'token-malformed' } },
    });
  });

  it.each([
    ['text that is not JSON', 'hello'],
    ['a JSON array', '[1,2]'],
    ['an unknown type', '{"type":"__proto__"}'],
  ])('answers %s with a 400 error', async (_name, raw) => {
    const socket = await open();
    socket.send(raw);
    expect(await socket.next('error')).toMatchObject({ error: { code: 400, name: 'BadRequest' } });
  });
});

describe('logout', () => {
  it('logs the socket out (the token is revoked) and stops its messages', async () => {
    const { accessToken } = await signUpAndLogIn(demo);
    const socket = await open();
    socket.send({ type: 'authenticate', strategy: 'jwt', accessToken });
    const { accessToken: socketToken } = await socket.next('authenticated');
    socket.send({ type: 'logout' });
    await socket.next('logged-out');
    const me = await demo.app.inject({
      method: 'GET',
      url: '/users/me',
      headers: bearer(socketToken as string),
    });
    expect(me.json()).toMatchObject({ data: { reason: 'token-revoked' } });

    await postMessage(accessToken, 'after logout');
    await socket.sync();
    expect(socket.all('message-created')).toEqual([]);
  });

  it('a logout over HTTP with the socket token de-authenticates the socket', async () => {
    const { accessToken } = await signUpAndLogIn(demo);
    const other = await signUpAndLogIn(demo);
    const socket = await open(bearer(accessToken));
    const { accessToken: socketToken } = await socket.next('authenticated');
    const logout = await demo.app.inject({
      method: 'DELETE',
      url: '/authentication',
      headers: bearer(socketToken as string),
    });
    expect(logout.statusCode).toBe(200);
    await socket.next('logged-out');
    await postMessage(other.accessToken, 'after http logout');
    await socket.sync();
    expect(socket.all('message-created')).toEqual([]);
  });
});

describe('expiry', () => {
  let timed: TestDemo;
  let timedUrl: string;

  // A demo of its own, built under fake timers so that its clocks (token service, expiry timers) are
  // the fake ones: ten minutes pass in an instant.
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    let base: string;
    ({ demo: timed, base } = await listeningDemo(SHORT_TOKENS));
    timedUrl = `${base.replace('http', 'ws')}/ws`;
  });
  afterAll(async () => {
    vi.useRealTimers();
    await timed?.dispose();
  });

  it('warns before exp, extends on re-authentication, and de-authenticates at exp', async () => {
    const { accessToken } = await signUpAndLogIn(timed);
    const poster = await signUpAndLogIn(timed);
    const socket = await TestSocket.open(timedUrl);
    sockets.push(socket);
    // The poster logs in afresh for each post: its own tokens expire too.
    const post = async (text: string) => {
      const login = await timed.app.inject({
        method: 'POST',
        url: '/authentication',
        payload: { strategy: 'local', email: poster.email, password: poster.password },
      });
      const response = await timed.app.inject({
        method: 'POST',
        url: '/messages',
        headers: bearer(login.json().accessToken),
        payload: { text },
      });
      expect(response.statusCode).toBe(201);
    };
    socket.send({ type: 'authenticate', strategy: 'jwt', accessToken });
    const first = await socket.next('authenticated');
    const firstExp = first.exp as number;

    // Eight minutes in: no warning yet. Nine minutes in: the warning, one minute before exp.
    await vi.advanceTimersByTimeAsync(8 * 60_000);
    await socket.sync();
    expect(socket.all('token-expiring')).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000 + 1_000);
    expect(await socket.next('token-expiring')).toEqual({ type: 'token-expiring', exp: firstExp });

    // Re-authenticating on the open socket gives a new token with a later exp.
    socket.send({ type: 'authenticate', strategy: 'jwt', accessToken: first.accessToken });
    const second = await socket.next('authenticated');
    expect(second.exp).toBeGreaterThan(firstExp + 8 * 60);

    // Past the first exp: still authenticated, still receiving.
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    await post('still here');
    await socket.sync();
    expect(socket.all('token-expired')).toEqual([]);
    expect(textsOf(socket)).toEqual(['still here']);

    // Past the second exp: de-authenticated, told so, and no more messages.
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(await socket.next('token-expired')).toEqual({ type: 'token-expired', exp: second.exp });
    await post('after expiry');
    await socket.sync();
    expect(textsOf(socket)).toEqual(['still here']);
  });
});
