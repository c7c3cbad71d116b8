import {
  AuthenticationService as FeathersAuthentication,
  JWTStrategy as FeathersJWT,
} from '@feathersjs/authentication';
import { LocalStrategy as FeathersLocal, hooks as feathersHooks } from '@feathersjs/authentication-local';
import { feathers } from '@feathersjs/feathers';
import bcryptjs from 'bcryptjs';
import { memory } from '@feathersjs/memory';
import { NotAuthenticated } from '@org/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, FAST_HASHING, TEST_SECRET } from './test-app.ts';

const password = 'the-right-password';

/** Feathers' own local-strategy fixture: memory users, bcrypt hashes, protect('password'). */
function createFeathersApp(records: Array<Record<string, any>> = []) {
  const app = feathers();
  const authentication = new FeathersAuthentication(app);
  app.set('authentication', {
    entity: 'user',
    service: 'users',
    secret: TEST_SECRET,
    authStrategies: ['local', 'jwt'],
    local: { usernameField: 'email', passwordField: 'password' },
  });
  authentication.register('jwt', new FeathersJWT());
  authentication.register('local', new FeathersLocal());
  app.use('authentication', authentication);
  app.use(
    'users',
    memory({ multi: ['create'], store: Object.fromEntries(records.map((r) => [r.id, { ...r }])) }),
  );
  app.service('users').hooks({ create: [feathersHooks.hashPassword('password')] });
  return app;
}

describe('the Feathers operator-injection login', () => {
  const attack = { strategy: 'local', email: { $ne: null }, password };

  it('logs in as the first matching user in Feathers with @feathersjs/memory', async () => {
    const app = createFeathersApp();
    await app.service('users').create({ email: 'admin@example.com', password });
    await app.service('users').create({ email: 'victim@example.com', password: 'another' });
    const result = await app.service('authentication').create(attack as never);
    expect(result.user.email).toBe('admin@example.com');
    expect(result.accessToken).toEqual(expect.any(String));
  });

  it('is a 400 here, and the body never reaches the store', async () => {
    const app = await createTestApp();
    await app.createUser({ email: 'admin@example.com', password });
    app.users.calls.length = 0;
    const error = await app.auth.create(attack).catch((e: unknown) => e);
    expect((error as { toJSON(): unknown }).toJSON()).toEqual({
      name: 'BadRequest',
      message: "'email' must be a string",
      code: 400,
      className: 'bad-request',
      data: { reason: 'invalid-credentials-format' },
    });
    expect(app.users.calls).toEqual([]);
  });
});

describe('migrating users with bcrypt hashes written by Feathers', () => {
  let feathersHash: string;
  const upgrading = {
    usernameField: 'email',
    passwordField: 'password',
    hashing: { ...FAST_HASHING, bcrypt: 'upgrade' },
  };

  beforeEach(async () => {
    const app = createFeathersApp();
    await app.service('users').create({ email: 'legacy@example.com', password });
    const [stored] = (await app.service('users').find({ paginate: false })) as { password: string }[];
    feathersHash = stored!.password;
    expect(feathersHash).toMatch(/^\$2[ab]\$10\$/);
  });

  it('logs in with the bcrypt hash, then stores an scrypt hash in its place (once)', async () => {
    const app = await createTestApp(upgrading);
    const user = await app.users.create({ email: 'legacy@example.com', password: feathersHash });

    const result = await app.auth.create({ strategy: 'local', email: 'legacy@example.com', password });
    expect((result.user as { id: unknown }).id).toBe(user.id);
    const upgraded = app.users.rows.get(String(user.id))!.password as string;
    expect(upgraded).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(app.strategy.hasher.needsRehash(upgraded)).toBe(false);
    expect(app.users.calls.filter((call) => call.method === 'patch')).toHaveLength(1);

    await app.auth.create({ strategy: 'local', email: 'legacy@example.com', password });
    expect(app.users.rows.get(String(user.id))!.password).toBe(upgraded);
    expect(app.users.calls.filter((call) => call.method === 'patch')).toHaveLength(1);
  });

  it('does not upgrade on a failed login', async () => {
    const app = await createTestApp(upgrading);
    const user = await app.users.create({ email: 'legacy@example.com', password: feathersHash });
    const error = await app.auth
      .create({ strategy: 'local', email: 'legacy@example.com', password: 'wrong' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect(app.users.rows.get(String(user.id))!.password).toBe(feathersHash);
  });

  it('upgrades a nested (dot path) hash and keeps its siblings', async () => {
    const app = await createTestApp({ ...upgrading, entityPasswordField: 'auth.hash' });
    const user = await app.users.create({
      email: 'legacy@example.com',
      auth: { hash: feathersHash, mfa: true },
    });
    await app.auth.create({ strategy: 'local', email: 'legacy@example.com', password });
    const stored = app.users.rows.get(String(user.id))!;
    expect(stored.auth.mfa).toBe(true);
    expect(stored.auth.hash).toMatch(/^\$scrypt\$/);
  });

  it('upgrades scrypt hashes written with older (cheaper) parameters', async () => {
    const app = await createTestApp(upgrading);
    const old = await createTestApp({
      usernameField: 'email',
      passwordField: 'password',
      hashing: { logN: 10, blockSize: 4 },
    });
    const user = await app.users.create({
      email: 'old@example.com',
      password: await old.strategy.hashPassword(password),
    });
    await app.auth.create({ strategy: 'local', email: 'old@example.com', password });
    expect(app.users.rows.get(String(user.id))!.password).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
  });

  it('still logs in when the upgrade cannot be written, and tries again next time', async () => {
    const app = await createTestApp(upgrading);
    const user = await app.users.create({ email: 'legacy@example.com', password: feathersHash });
    const patch = vi.spyOn(app.users, 'patch').mockRejectedValueOnce(new Error('store is read-only'));
    const result = await app.auth.create({ strategy: 'local', email: 'legacy@example.com', password });
    expect((result.user as { id: unknown }).id).toBe(user.id);
    expect(app.users.rows.get(String(user.id))!.password).toBe(feathersHash);

    await app.auth.create({ strategy: 'local', email: 'legacy@example.com', password });
    expect(patch).toHaveBeenCalledTimes(2);
    expect(app.users.rows.get(String(user.id))!.password).toMatch(/^\$scrypt\$/);
  });
});

describe("the way back: 'keep' mode, and the point of no return", () => {
  const settings = (bcrypt: 'upgrade' | 'keep') => ({
    usernameField: 'email',
    passwordField: 'password',
    hashSize: 4,
    hashing: { ...FAST_HASHING, bcrypt },
  });

  it("'keep' writes bcrypt for sign-ups and turns an upgraded user back to bcrypt on login, so stock Feathers logs them in; a user who never logs in during 'keep' stays on scrypt and is lost to Feathers", async () => {
    // 1. Users migrated from Feathers, upgraded to scrypt by 'upgrade'.
    const upgrading = await createTestApp(settings('upgrade'));
    for (const email of ['back@example.com', 'away@example.com']) {
      await upgrading.users.create({ email, password: await bcryptjs.hash(password, 4) });
      await upgrading.auth.create({ strategy: 'local', email, password });
    }
    const rows = [...upgrading.users.rows.values()];
    expect(rows.map((r) => r.password)).toEqual([
      expect.stringMatching(/^\$scrypt\$/),
      expect.stringMatching(/^\$scrypt\$/),
    ]);

    // 2. The team rolls back: 'keep'. One user logs in, one signs up; the other never comes back.
    const keeping = await createTestApp(settings('keep'));
    for (const row of rows) await keeping.users.create(row);
    await keeping.auth.create({ strategy: 'local', email: 'back@example.com', password });
    await keeping.createUser({ id: 3, email: 'new@example.com', password });
    const byEmail = new Map([...keeping.users.rows.values()].map((r) => [r.email as string, r]));
    expect(byEmail.get('back@example.com')!.password).toMatch(/^\$2b\$04\$/);
    expect(byEmail.get('new@example.com')!.password).toMatch(/^\$2b\$04\$/);
    expect(byEmail.get('away@example.com')!.password).toMatch(/^\$scrypt\$/);
    // Still a login here, and only one write per change.
    await keeping.auth.create({ strategy: 'local', email: 'back@example.com', password });
    expect(keeping.users.calls.filter((c) => c.method === 'patch')).toHaveLength(1);

    // 3. Stock Feathers on the same records.
    const app = createFeathersApp([...keeping.users.rows.values()]);
    for (const email of ['back@example.com', 'new@example.com']) {
      const result = await app.service('authentication').create({ strategy: 'local', email, password });
      expect(result.accessToken).toEqual(expect.any(String));
    }
    await expect(
      app.service('authentication').create({ strategy: 'local', email: 'away@example.com', password }),
    ).rejects.toMatchObject({ name: 'NotAuthenticated' });
  });
});
