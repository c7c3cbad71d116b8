import Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SECRET } from './test-keys.ts';
import { TokenService } from './token-service.ts';
import { createDenylist } from '../revocation/denylist.ts';

// A denylist whose entries expire before the tokens they refuse lets a revoked token verify again;
// setup says so (issue 16 hardening).

const T0 = Date.UTC(2030, 0, 1);
let warnings: Array<{ message: string; code: unknown }>;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  warnings = [];
  vi.spyOn(process, 'emitWarning').mockImplementation(((message: string, options?: { code?: string }) => {
    warnings.push({ message, code: options?.code });
  }) as typeof process.emitWarning);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('setup warns when revocation forgets before the token expires', () => {
  it("a denylist tolerance shorter than the verifier's clockTolerance", async () => {
    const revocation = createDenylist({ store: new Keyv(), tolerance: 10 });
    const tokens = new TokenService({
      secret: SECRET,
      revocation,
      jwtOptions: { expiresIn: '1h' },
      verifyOptions: { clockTolerance: 60 },
    });
    expect(warnings).toEqual([
      {
        code: 'ORG_JWT_REVOCATION_LIFETIME',
        message:
          "Revocation: the denylist's tolerance (10 s) is shorter than 'verifyOptions.clockTolerance' (60 s): " +
          'a revoked token verifies again for the last 50 s of its tolerance. Raise it on the denylist (createDenylist options).',
      },
    ]);
    // Why it matters: 30 s after exp the entry is gone, and the verifier still accepts the token.
    const token = await tokens.createAccessToken({}, { subject: '1' });
    const payload = await tokens.verifyAccessToken(token);
    await tokens.revokeAccessToken(token, payload);
    await expect(tokens.verifyAccessToken(token)).rejects.toMatchObject({ reason: 'token-revoked' });
    vi.setSystemTime(T0 + 3600_000 + 30_000);
    await expect(tokens.verifyAccessToken(token)).resolves.toMatchObject({ sub: '1' });
  });

  it("a denylist maxTokenLifetime shorter than the issuer's token lifetime, also through setRevocation", () => {
    const tokens = new TokenService({ secret: SECRET, jwtOptions: { expiresIn: '7d' } });
    expect(warnings).toEqual([]);
    tokens.setRevocation(createDenylist({ store: new Keyv() }));
    expect(warnings).toEqual([
      {
        code: 'ORG_JWT_REVOCATION_LIFETIME',
        message:
          "Revocation: the denylist's maxTokenLifetime (86400 s) is shorter than the token lifetime (604800 s): " +
          'a "revoke all" for a subject is forgotten while tokens it revoked are still valid. Raise it on the denylist (createDenylist options).',
      },
    ]);
  });

  it('no warning when the denylist covers the tokens', () => {
    new TokenService({
      secret: SECRET,
      revocation: createDenylist({ store: new Keyv(), tolerance: 60, maxTokenLifetime: 7 * 86_400 }),
      jwtOptions: { expiresIn: '7d' },
      verifyOptions: { clockTolerance: 60 },
    });
    new TokenService({ secret: SECRET, revocation: createDenylist({ store: new Keyv() }) });
    expect(warnings).toEqual([]);
  });
});
