// The REST API of the demo: sign-up, login, /users/me, the messages collection with its owner checks,
// logout that revokes, and bad input answered with the right 4xx in Feathers' error JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUpAndLogIn, startDemo, uniqueEmail, type TestDemo } from './support.ts';

let demo: TestDemo;

beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => demo?.dispose());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  demo.app.inject({ method: 'POST', url, payload: payload as object, headers });

describe('POST /users (sign up)', () => {
  it('creates the user, lower-cases the email and never returns the hash', async () => {
    const email = uniqueEmail('Ada').replace('Ada', 'ADA');
    const response = await post('/users', { email, password: 'correct horse battery' });
    expect(response.statusCode).toBe(201);
    const user = response.json();
    expect(user).toEqual({
      id: expect.any(Number),
      email: email.toLowerCase(),
      createdAt: expect.any(String),
    });
    expect(response.body).not.toContain('scrypt');

    // The stored record holds an scrypt hash, not the password.
    const stored = await demo.stores.users.get(String(user.id));
    expect(stored.password).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
  });

  it.each([
    ['no body', undefined, 'The body must be a JSON object'],
    ['an array', [{ email: 'a@example.com', password: 'long enough' }], 'The body must be a JSON object'],
    ['no email', { password: 'correct horse battery' }, 'email must be an email address'],
    [
      'a bad email',
      { email: 'not-an-email', password: 'correct horse battery' },
      'email must be an email address',
    ],
    [
      'an operator as email',
      { email: { $ne: null }, password: 'correct horse battery' },
      'email must be an email address',
    ],
    [
      'a short password',
      { email: 'a@example.com', password: 'short' },
      'password must be a string of 8 to 1024 characters',
    ],
    [
      'a number as password',
      { email: 'a@example.com', password: 12345678 },
      'password must be a string of 8 to 1024 characters',
    ],
    [
      'a chosen id',
      { email: 'a@example.com', password: 'correct horse', id: 1 },
      "Unknown field 'id'; expected email, password",
    ],
    [
      'an extra field',
      { email: 'a@example.com', password: 'correct horse', admin: true },
      "Unknown field 'admin'; expected email, password",
    ],
  ])('refuses %s with 400 invalid-body', async (_name, body, message) => {
    const response = await post('/users', body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      name: 'BadRequest',
      code: 400,
      message,
      data: { reason: 'invalid-body' },
    });
  });

  it('refuses a __proto__ member with 400, before anything is stored', async () => {
    const response = await demo.app.inject({
      method: 'POST',
      url: '/users',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":"proto@example.com","password":"correct horse","__proto__":{"admin":true}}',
    });
    expect(response.statusCode).toBe(400);
    expect(await demo.stores.users.find({ query: { email: 'proto@example.com' } })).toEqual([]);
  });

  it('answers a taken email with a generic 409 that names neither the value nor the column', async () => {
    const email = uniqueEmail();
    expect((await post('/users', { email, password: 'correct horse battery' })).statusCode).toBe(201);
    const again = await post('/users', { email: email.toUpperCase(), password: 'another password' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({
      name: 'Conflict',
      message: 'This email is already registered',
      code: 409,
      className: 'conflict',
      data: { reason: 'conflict' },
    });
  });

  it('answers a body that is not JSON with 415 and a body over 100 KiB with 413', async () => {
    const text = await demo.app.inject({
      method: 'POST',
      url: '/users',
      headers: { 'content-type': 'text/plain' },
      payload: 'email=a@example.com',
    });
    expect(text.statusCode).toBe(415);
    const big = await post('/users', { email: 'a@example.com', password: 'x'.repeat(110_000) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ code: 413 });
  });
});

describe('login, /users/me and logout', () => {
  it('logs in with the local strategy and returns the user without the hash', async () => {
    const { accessToken, user, email } = await signUpAndLogIn(demo);
    expect(accessToken.split('.')).toHaveLength(3);
    expect(user).toEqual({ id: expect.any(Number), email, createdAt: expect.any(String) });

    const me = await demo.app.inject({ method: 'GET', url: '/users/me', headers: bearer(accessToken) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(user);
  });

  it('signs ES256 tokens with the ring key and the public URL as issuer and audience', async () => {
    const { accessToken } = await signUpAndLogIn(demo);
    const [header, payload] = accessToken
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'ES256', typ: 'access', kid: (await demo.keyRing.getSigningKey()).kid });
    expect(payload).toMatchObject({
      iss: 'http://127.0.0.1:3030',
      aud: 'http://127.0.0.1:3030',
      sub: expect.any(String),
    });
    expect(payload.exp - payload.iat).toBe(3600);
  });

  it('refuses a wrong password and an unknown user with the same 401', async () => {
    const { email } = await signUpAndLogIn(demo);
    const wrong = await post('/authentication', { strategy: 'local', email, password: 'wrong password' });
    const unknown = await post('/authentication', {
      strategy: 'local',
      email: uniqueEmail(),
      password: 'wrong password',
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('answers /users/me without a token with 401 and a Bearer challenge', async () => {
    const response = await demo.app.inject({ method: 'GET', url: '/users/me' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(response.json()).toMatchObject({ name: 'NotAuthenticated', data: { reason: 'no-credentials' } });
  });

  it('revokes the token on logout: it is refused afterwards', async () => {
    const { accessToken } = await signUpAndLogIn(demo);
    const logout = await demo.app.inject({
      method: 'DELETE',
      url: '/authentication',
      headers: bearer(accessToken),
    });
    expect(logout.statusCode).toBe(200);
    const after = await demo.app.inject({ method: 'GET', url: '/users/me', headers: bearer(accessToken) });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ data: { reason: 'token-revoked' } });
  });

  it('limits failed logins per account (429 with Retry-After)', async () => {
    const { email } = await signUpAndLogIn(demo);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      statuses.push(
        (await post('/authentication', { strategy: 'local', email, password: 'wrong password' })).statusCode,
      );
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    const blocked = await post('/authentication', {
      strategy: 'local',
      email,
      password: 'correct horse battery',
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('/messages', () => {
  let ada: Awaited<ReturnType<typeof signUpAndLogIn>>;
  let bob: Awaited<ReturnType<typeof signUpAndLogIn>>;

  beforeAll(async () => {
    ada = await signUpAndLogIn(demo, uniqueEmail('ada'));
    bob = await signUpAndLogIn(demo, uniqueEmail('bob'));
  });

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    token?: string,
    payload?: object,
  ) => demo.app.inject({ method, url, payload, headers: token ? bearer(token) : {} });

  it('needs a token for every route', async () => {
    for (const [method, url] of [
      ['GET', '/messages'],
      ['GET', '/messages/1'],
      ['POST', '/messages'],
      ['PATCH', '/messages/1'],
      ['DELETE', '/messages/1'],
    ] as const) {
      expect(
        (await call(method, url, undefined, method === 'POST' ? { text: 'x' } : undefined)).statusCode,
      ).toBe(401);
    }
  });

  it('creates a message owned by its author, whatever the body claims', async () => {
    const created = await call('POST', '/messages', ada.accessToken, { text: '  hello  ' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      id: expect.any(Number),
      text: 'hello',
      userId: ada.user.id,
      author: ada.email,
      createdAt: expect.any(String),
    });
    const forged = await call('POST', '/messages', ada.accessToken, { text: 'hi', userId: bob.user.id });
    expect(forged.statusCode).toBe(400);
  });

  it('lists messages newest first, with $limit and $skip', async () => {
    for (const text of ['one', 'two', 'three']) await call('POST', '/messages', bob.accessToken, { text });
    const page = (await call('GET', '/messages?$limit=2', ada.accessToken)).json();
    expect(page.map((m: { text: string }) => m.text)).toEqual(['three', 'two']);
    const next = (await call('GET', '/messages?$limit=1&$skip=2', ada.accessToken)).json();
    expect(next.map((m: { text: string }) => m.text)).toEqual(['one']);
  });

  it.each([
    ['/messages?$limit=0', '$limit must be a whole number from 1 to 100'],
    ['/messages?$limit=101', '$limit must be a whole number from 1 to 100'],
    ['/messages?$limit=abc', '$limit must be a whole number from 1 to 100'],
    ['/messages?userId[$ne]=1', "Unknown query parameter 'userId[$ne]'; expected $limit, $skip"],
  ])('refuses the query %s with 400', async (url, message) => {
    const response = await call('GET', url, ada.accessToken);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ message, data: { reason: 'invalid-query' } });
  });

  it('lets only the author change or delete a message: 403 for another user', async () => {
    const message = (await call('POST', '/messages', ada.accessToken, { text: 'mine' })).json();
    const url = `/messages/${message.id}`;

    for (const method of ['PATCH', 'PUT'] as const) {
      const other = await call(method, url, bob.accessToken, { text: 'hacked' });
      expect(other.statusCode).toBe(403);
      expect(other.json()).toMatchObject({ name: 'Forbidden', data: { reason: 'forbidden' } });
    }
    expect((await call('DELETE', url, bob.accessToken)).statusCode).toBe(403);
    expect((await call('GET', url, bob.accessToken)).json().text).toBe('mine');

    const patched = await call('PATCH', url, ada.accessToken, { text: 'edited' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id: message.id, text: 'edited', userId: ada.user.id });
    expect((await call('DELETE', url, ada.accessToken)).statusCode).toBe(200);
    expect((await call('GET', url, ada.accessToken)).statusCode).toBe(404);
  });

  it.each(['0', 'abc', '1.5', '99999999999999999', '-1'])('answers the id %s with 404', async (id) => {
    const response = await call('GET', `/messages/${id}`, ada.accessToken);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ name: 'NotFound' });
  });

  it('refuses an empty or oversized text with 400', async () => {
    for (const text of ['', '   ', 'x'.repeat(501), 42]) {
      const response = await call('POST', '/messages', ada.accessToken, { text });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ message: 'text must be a string of 1 to 500 characters' });
    }
  });
});

describe('pages', () => {
  it('serves the login page with a strict Content-Security-Policy', async () => {
    const response = await demo.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<form id="login-form"');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers /health with the signing kid', async () => {
    const response = await demo.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', kid: (await demo.keyRing.getSigningKey()).kid });
  });

  it('redirects /docs to /docs/', async () => {
    const response = await demo.app.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(301);
    expect(response.headers.location).toBe('/docs/');
  });
});
