import bcrypt from 'bcryptjs';
import { BadRequest } from '@org/core';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SCRYPT_PARAMETERS, PasswordHasher } from './password-hasher.ts';
import { formatScryptHash, parseScryptHash } from './scrypt-hash.ts';

// The smallest cost the hasher accepts keeps these tests fast; the defaults are checked separately.
const fast = () => new PasswordHasher({ logN: 10, blockSize: 8, parallelization: 1 });

describe('PasswordHasher', () => {
  it('defaults to scrypt N=2^15, r=8, p=1, 16-byte salt, 32-byte key', () => {
    expect(new PasswordHasher().parameters).toEqual({
      logN: 15,
      blockSize: 8,
      parallelization: 1,
      saltLength: 16,
      keyLength: 32,
    });
    expect(DEFAULT_SCRYPT_PARAMETERS).toEqual(new PasswordHasher().parameters);
  });

  it('writes a self-describing PHC string with its parameters', async () => {
    const hash = await fast().hash('secret');
    expect(hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const parsed = parseScryptHash(hash)!;
    expect(parsed.params).toEqual({ logN: 10, blockSize: 8, parallelization: 1 });
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.key).toHaveLength(32);
  });

  it('round-trips the PHC string exactly', () => {
    const params = { logN: 12, blockSize: 4, parallelization: 2 };
    const text = formatScryptHash(params, Buffer.alloc(16, 1), Buffer.alloc(32, 2));
    expect(text).toBe(
      '$scrypt$ln=12,r=4,p=2$AQEBAQEBAQEBAQEBAQEBAQ$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI',
    );
    const parsed = parseScryptHash(text)!;
    expect(formatScryptHash(parsed.params, parsed.salt, parsed.key)).toBe(text);
  });

  it('salts every hash', async () => {
    const hasher = fast();
    expect(await hasher.hash('secret')).not.toBe(await hasher.hash('secret'));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hasher = fast();
    const hash = await hasher.hash('correct horse');
    expect(await hasher.verify('correct horse', hash)).toBe(true);
    expect(await hasher.verify('correct horsf', hash)).toBe(false);
    expect(await hasher.verify('', hash)).toBe(false);
  });

  it('matches a known-answer vector (RFC 7914 section 12, third case)', async () => {
    // scrypt("pleaseletmein", "SodiumChloride", N=16384, r=8, p=1, dkLen=64)
    const key = Buffer.from(
      '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2' +
        'd5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
      'hex',
    );
    const params = { logN: 14, blockSize: 8, parallelization: 1 };
    const derived = await fast().derive('pleaseletmein', Buffer.from('SodiumChloride'), params, 64);
    expect(derived.equals(key)).toBe(true);
  });

  it('verifies hashes written with other (cheaper) parameters, and reports them for rehash', async () => {
    const old = await new PasswordHasher({ logN: 10, keyLength: 64, saltLength: 32 }).hash('pw');
    const hasher = new PasswordHasher({ logN: 11 });
    expect(await hasher.verify('pw', old)).toBe(true);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('pw'))).toBe(false);
    expect(new PasswordHasher({ logN: 10, blockSize: 4 }).needsRehash(await hasher.hash('pw'))).toBe(true);
  });

  it('verifies bcrypt hashes written by Feathers (bcryptjs $2a$/$2b$) and reports them for rehash', async () => {
    const hasher = new PasswordHasher({ logN: 10, bcrypt: 'upgrade', bcryptCost: 4 });
    const b = await bcrypt.hash('legacy', 4);
    const a = b.replace(/^\$2b\$/, '$2a$');
    for (const hash of [a, b]) {
      expect(await hasher.verify('legacy', hash)).toBe(true);
      expect(await hasher.verify('wrong', hash)).toBe(false);
      expect(hasher.needsRehash(hash)).toBe(true);
    }
  });

  it.each([
    ['undefined', undefined],
    ['an empty string', ''],
    ['plain text', 'secret'],
    ['a truncated hash', '$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA'],
    ['non-canonical base64', '$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAB$' + 'A'.repeat(43)],
    ['an out-of-bounds cost', '$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43)],
    ['a bcrypt hash with cost 31', '$2b$31$' + 'a'.repeat(53)],
  ])('never throws for a stored hash that is %s: one dummy derivation, then false', async (_, hash) => {
    const hasher = fast();
    const derive = vi.spyOn(hasher, 'derive');
    expect(await hasher.verify('secret', hash)).toBe(false);
    expect(derive).toHaveBeenCalledTimes(1);
    expect(derive.mock.calls[0]![2]).toEqual({ logN: 10, blockSize: 8, parallelization: 1 });
  });

  it('derives exactly once per hash and per verify', async () => {
    const hasher = fast();
    const derive = vi.spyOn(hasher, 'derive');
    const hash = await hasher.hash('pw');
    await hasher.verify('pw', hash);
    await hasher.verify('nope', hash);
    expect(derive).toHaveBeenCalledTimes(3);
  });

  it.each([
    [{ logN: 9 }, "Password hashing option 'logN' must be an integer from 10 to 22"],
    [{ logN: 15.5 }, "Password hashing option 'logN' must be an integer from 10 to 22"],
    [{ blockSize: 0 }, "Password hashing option 'blockSize' must be an integer from 1 to 32"],
    [{ saltLength: 8 }, "Password hashing option 'saltLength' must be an integer from 16 to 64"],
    [{ cost: 15 }, "Unknown password hashing option 'cost'"],
    [{ logn: 15 }, "Unknown password hashing option 'logn'. Did you mean 'logN'?"],
    [{ keylength: 32 }, "Unknown password hashing option 'keylength'. Did you mean 'keyLength'?"],
  ])('rejects bad options %o at construction', (options, message) => {
    let error: unknown;
    try {
      new PasswordHasher(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({ message, reason: 'invalid-configuration', code: 400 });
  });
});
