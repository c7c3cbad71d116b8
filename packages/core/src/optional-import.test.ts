import { describe, expect, it } from 'vitest';
import { BadRequest } from './errors.ts';
import { importOptional } from './optional-import.ts';

describe('importOptional', () => {
  it('resolves with the module when the package is installed', async () => {
    const module = await importOptional('vitest', 'this test', () => import('vitest'));
    expect(typeof module.describe).toBe('function');
  });

  it('names the package and the install command when it is not installed', async () => {
    const name = 'org-auth-package-that-does-not-exist';
    const error = await importOptional(name, 'redisRateLimitStore({ url })', () => import(name)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({
      reason: 'missing-package',
      code: 400,
      message: `redisRateLimitStore({ url }) needs the optional package ${name}: npm install ${name}`,
    });
    expect((error as BadRequest).cause).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
  });

  it('rethrows any other failure, including a missing dependency of the package itself', async () => {
    const inner = Object.assign(new Error("Cannot find package 'pg-types' imported from pg"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    await expect(importOptional('pg', 'x', () => Promise.reject(inner))).rejects.toBe(inner);
    const broken = new Error('Module did not self-register');
    await expect(importOptional('better-sqlite3', 'x', () => Promise.reject(broken))).rejects.toBe(broken);
  });
});
