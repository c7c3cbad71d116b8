import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { BadRequest } from '@org/core';
import { afterEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { bcryptCost } from './bcrypt-hash.ts';
import { PasswordHasher } from './password-hasher.ts';
import { scryptMemory, scryptWork } from './scrypt-cost.ts';
import { formatScryptHash, type ScryptParameters } from './scrypt-hash.ts';
import { createTestApp } from './test-app.ts';

// Attack catalogue, classes "timing by stored parameters", "stored-parameter DoS" and "bcrypt
// truncation". Equal cost is asserted as equal work (the parameters of every derivation and bcrypt check
// a verification runs), never with a clock: invariant 12 says a failed login costs the same whether or
// not the account exists, whatever its stored hash parameters.

type Spies = {
  derive: MockInstance<PasswordHasher['derive']>;
  bcrypt: MockInstance<PasswordHasher['compareBcrypt']>;
};

function spy(hasher: PasswordHasher): Spies {
  return { derive: vi.spyOn(hasher, 'derive'), bcrypt: vi.spyOn(hasher, 'compareBcrypt') };
}

/** The work of everything verify ran: scrypt work (N * r * p summed) and bcrypt work (2^cost summed). */
function work({ derive, bcrypt: compare }: Spies) {
  const params = derive.mock.calls.map((call) => call[2]);
  return {
    scrypt: params.reduce((sum, p) => sum + scryptWork(p), 0),
    maxMemory: Math.max(...params.map(scryptMemory)),
    bcrypt: compare.mock.calls.reduce((sum, call) => sum + 2 ** bcryptCost(call[1])!, 0),
  };
}

async function hashWith(params: ScryptParameters, password: string): Promise<string> {
  return new PasswordHasher({ ...params }).hash(password);
}

afterEach(() => vi.restoreAllMocks());

describe('timing by stored parameters: a check costs the current work, whatever the stored parameters', () => {
  const current: ScryptParameters = { logN: 12, blockSize: 8, parallelization: 1 };
  const cheaper: ScryptParameters[] = [
    { logN: 10, blockSize: 8, parallelization: 1 },
    { logN: 11, blockSize: 8, parallelization: 1 },
    { logN: 12, blockSize: 4, parallelization: 1 },
    { logN: 11, blockSize: 8, parallelization: 2 },
    { logN: 10, blockSize: 3, parallelization: 1 },
    { logN: 10, blockSize: 16, parallelization: 1 },
    { logN: 11, blockSize: 4, parallelization: 3 },
    { logN: 12, blockSize: 8, parallelization: 1 },
  ];

  it.each(cheaper)('stored %o: right and wrong passwords cost what an unknown user costs', async (stored) => {
    const hasher = new PasswordHasher(current);
    const hash = await hashWith(stored, 'pw');
    const baseline = spy(hasher);
    expect(await hasher.verify('pw', undefined)).toBe(false);
    const expected = work(baseline);
    expect(expected.scrypt).toBe(scryptWork(current));
    vi.restoreAllMocks();

    for (const [password, result] of [
      ['pw', true],
      ['wrong', false],
    ] as const) {
      const spies = spy(hasher);
      expect(await hasher.verify(password, hash)).toBe(result);
      const { scrypt, bcrypt: bcryptWork, maxMemory } = work(spies);
      expect({ scrypt, bcrypt: bcryptWork }).toEqual({ scrypt: expected.scrypt, bcrypt: expected.bcrypt });
      expect(maxMemory).toBeLessThanOrEqual(scryptMemory(current));
      expect(spies.derive.mock.calls.length).toBeLessThanOrEqual(2);
      vi.restoreAllMocks();
    }
  });

  it('the audit scenario: after raising logN as the guide recommends, a wrong password for an old account does the work of an unknown user', async () => {
    const before = await createTestApp({
      usernameField: 'email',
      passwordField: 'password',
      hashing: { logN: 10 },
    });
    const after = await createTestApp({
      usernameField: 'email',
      passwordField: 'password',
      hashing: { logN: 11 },
    });
    await after.users.create({
      email: 'old@example.com',
      password: await before.strategy.hashPassword('pw'),
    });
    const totals = [];
    for (const email of ['old@example.com', 'nobody@example.com']) {
      const spies = spy(after.strategy.hasher);
      await after.auth.create({ strategy: 'local', email, password: 'wrong' }).catch(() => undefined);
      totals.push(work(spies));
      vi.restoreAllMocks();
    }
    expect(totals[0]!.scrypt).toBe(totals[1]!.scrypt);
    expect(totals[0]!.scrypt).toBe(2 ** 11 * 8);
  });
});

describe('stored-parameter DoS: a stored hash costing more than the current parameters is invalid', () => {
  const current: ScryptParameters = { logN: 12, blockSize: 8, parallelization: 1 };
  const costly: ScryptParameters[] = [
    { logN: 13, blockSize: 8, parallelization: 1 },
    { logN: 12, blockSize: 16, parallelization: 1 },
    { logN: 12, blockSize: 8, parallelization: 2 },
    { logN: 11, blockSize: 32, parallelization: 1 },
    { logN: 10, blockSize: 8, parallelization: 16 },
    { logN: 20, blockSize: 8, parallelization: 4 },
    { logN: 22, blockSize: 32, parallelization: 16 },
  ];

  it.each(costly)(
    'stored %o: never derived with, one dummy derivation at the current cost, false',
    async (stored) => {
      const hasher = new PasswordHasher(current);
      // A real key for the cheap ones; the expensive ones get random bytes (deriving them is the attack).
      const hash =
        scryptWork(stored) <= 2 ** 16
          ? await hashWith(stored, 'pw')
          : formatScryptHash(stored, randomBytes(16), randomBytes(32));
      const spies = spy(hasher);
      expect(await hasher.verify('pw', hash)).toBe(false);
      expect(spies.derive.mock.calls.map((call) => call[2])).toEqual([current]);
    },
  );

  it('lowering logN makes hashes written at the higher cost invalid (documented): they would be a timing oracle and a DoS lever', async () => {
    const hash = await hashWith({ logN: 11, blockSize: 8, parallelization: 1 }, 'pw');
    expect(await new PasswordHasher({ logN: 10 }).verify('pw', hash)).toBe(false);
    expect(await new PasswordHasher({ logN: 11 }).verify('pw', hash)).toBe(true);
  });
});

describe('bcrypt: off the main thread, bounded cost, padded to the same work', () => {
  const legacy = () => new PasswordHasher({ logN: 10, bcrypt: 'upgrade', bcryptCost: 6 });

  it.each([4, 5, 6])(
    'a cost-%i bcrypt hash, an scrypt hash and no hash all cost one scrypt and 2^6 bcrypt work',
    async (cost) => {
      const hasher = legacy();
      const stored = {
        bcrypt: await bcrypt.hash('pw', cost),
        scrypt: await hasher.hash('pw'),
        none: undefined,
      };
      for (const [name, hash] of Object.entries(stored)) {
        for (const password of ['pw', 'wrong']) {
          const spies = spy(hasher);
          expect(await hasher.verify(password, hash)).toBe(password === 'pw' && hash !== undefined);
          expect(work(spies), `${name}, ${password}`).toEqual({
            scrypt: 2 ** 10 * 8,
            maxMemory: 128 * 2 ** 10 * 8,
            bcrypt: 2 ** 6,
          });
          vi.restoreAllMocks();
        }
      }
    },
  );

  it.each(['$2b$13$', '$2a$31$', '$2y$99$'])(
    'a stored bcrypt hash of cost %s (above bcryptCost) is never compared with',
    async (prefix) => {
      const hasher = legacy();
      const hash = prefix + 'a'.repeat(53);
      const spies = spy(hasher);
      expect(await hasher.verify('pw', hash)).toBe(false);
      expect(spies.bcrypt.mock.calls.map((call) => call[1])).not.toContain(hash);
      expect(work(spies).bcrypt).toBe(2 ** 6);
    },
  );

  it("with bcrypt 'off' (apps that never had bcrypt), a bcrypt hash is invalid and no bcrypt work is done", async () => {
    const hasher = new PasswordHasher({ logN: 10, bcrypt: 'off' });
    const spies = spy(hasher);
    expect(await hasher.verify('pw', await bcrypt.hash('pw', 4))).toBe(false);
    expect(spies.bcrypt).not.toHaveBeenCalled();
  });

  it("is 'upgrade' by default, at Feathers' cost 10", () => {
    const hasher = new PasswordHasher();
    expect({ bcrypt: hasher.bcrypt, cost: hasher.bcryptCost }).toEqual({ bcrypt: 'upgrade', cost: 10 });
  });

  it('runs bcryptjs in a worker thread: the main thread never calls it', async () => {
    const calls = (['compare', 'compareSync', 'hash', 'hashSync'] as const).map((name) =>
      vi.spyOn(bcrypt, name),
    );
    const hasher = new PasswordHasher({ logN: 10, bcrypt: 'keep', bcryptCost: 4 });
    const hash = await hasher.hash('pw');
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(await hasher.verify('pw', hash)).toBe(true);
    expect(await hasher.verify('nope', hash)).toBe(false);
    for (const call of calls) expect(call).not.toHaveBeenCalled();
  });

  it.each([3, 13, 4.5])('bcryptCost %s is refused at construction (4 to 12)', (cost) => {
    expect(() => new PasswordHasher({ bcryptCost: cost })).toThrow(BadRequest);
  });

  it.each([3, 13])(
    'hashSize %i (Feathers bcrypt cost) is refused when the strategy is registered',
    async (hashSize) => {
      await expect(
        createTestApp({ usernameField: 'email', passwordField: 'password', hashSize }),
      ).rejects.toMatchObject({
        reason: 'invalid-configuration',
        message: "The 'local' setting 'hashSize' (the bcrypt cost) must be an integer from 4 to 12",
      });
    },
  );
});

describe('invariant 12 with the default configuration (bcrypt on, hashSize 10)', () => {
  // bcrypt is on by default, so no one can tell from a failed login whether the store holds bcrypt hashes:
  // every verification pays for one bcrypt check at cost 10, whatever the account and whether it exists.
  it('an unknown user, scrypt, bcrypt (cost 10 and 4) and hashless accounts: the same 401 after the same work', async () => {
    const app = await createTestApp({
      usernameField: 'email',
      passwordField: 'password',
      hashing: { logN: 10 },
    });
    await app.createUser({ email: 'scrypt@example.com', password: 'pw' });
    await app.users.create({ email: 'feathers@example.com', password: await bcrypt.hash('pw', 10) });
    await app.users.create({ email: 'cheap@example.com', password: await bcrypt.hash('pw', 4) });
    await app.users.create({ email: 'nohash@example.com' });
    const emails = ['nobody', 'scrypt', 'feathers', 'cheap', 'nohash'].map((name) => `${name}@example.com`);
    for (const email of emails) {
      const spies = spy(app.strategy.hasher);
      const error = await app.auth.create({ strategy: 'local', email, password: 'wrong' }).catch((e) => e);
      expect(error.toJSON(), email).toMatchObject({ code: 401, data: { reason: 'invalid-credentials' } });
      expect(work(spies), email).toEqual({
        scrypt: 2 ** 10 * 8,
        maxMemory: 128 * 2 ** 10 * 8,
        bcrypt: 2 ** 10,
      });
      vi.restoreAllMocks();
    }
  });
});

describe('bcrypt truncation: a login never rewrites a hash from bytes bcrypt did not check', () => {
  const settings = {
    usernameField: 'email',
    passwordField: 'password',
    hashing: { logN: 10, bcrypt: 'upgrade', bcryptCost: 4 },
  };
  const long = [
    ['ASCII, 80 bytes', 'p'.repeat(72) + 'real-end'],
    ['multi-byte, 90 bytes in 30 characters', '€'.repeat(30)],
  ] as const;

  it.each(long)(
    '%s: another ending logs in (as with Feathers) but the hash is not upgraded, and the real password keeps working',
    async (_, real) => {
      const app = await createTestApp(settings);
      const hash = await bcrypt.hash(real, 4);
      const user = await app.users.create({ email: 'long@example.com', password: hash });
      const other = Buffer.concat([
        Buffer.from(real).subarray(0, 72),
        Buffer.from('typed-by-someone-else'),
      ]).toString();
      for (const password of [other, real, real]) {
        await app.auth.create({ strategy: 'local', email: 'long@example.com', password });
        expect(app.users.rows.get(String(user.id))!.password).toBe(hash);
      }
      expect(app.users.calls.filter((call) => call.method === 'patch')).toEqual([]);
    },
  );

  it('a password of exactly 72 bytes is upgraded once, and logs in after', async () => {
    const app = await createTestApp(settings);
    const real = 'x'.repeat(72);
    const user = await app.users.create({ email: 'edge@example.com', password: await bcrypt.hash(real, 4) });
    await app.auth.create({ strategy: 'local', email: 'edge@example.com', password: real });
    expect(app.users.rows.get(String(user.id))!.password).toMatch(/^\$scrypt\$/);
    await app.auth.create({ strategy: 'local', email: 'edge@example.com', password: real });
    expect(app.users.calls.filter((call) => call.method === 'patch')).toHaveLength(1);
  });

  it("in 'keep' mode, a new password over 72 bytes is refused rather than silently cut", async () => {
    const hasher = new PasswordHasher({ logN: 10, bcrypt: 'keep', bcryptCost: 4 });
    await expect(hasher.hash('p'.repeat(73))).rejects.toMatchObject({
      code: 400,
      reason: 'invalid-credentials-format',
    });
    await expect(hasher.hash('€'.repeat(25))).rejects.toBeInstanceOf(BadRequest);
    expect(await hasher.hash('p'.repeat(72))).toMatch(/^\$2b\$04\$/);
  });
});
