// The micro suite: verify and sign, per algorithm, every contender in one process and one run.
import { assertAcceptsAndRefuses, measureTasks } from '../lib/measure.mjs';
import { EXTRA_CLAIMS, SUBJECT, keysFor, tamperedCopies } from './algorithms.mjs';
import {
  BASELINE,
  hasVerifiedTokenCache,
  ourTokenService,
  signContenders,
  verifyContenders,
} from './contenders.mjs';

/** Rows with `ratio` = ops/s over the baseline row's. */
function withRatios(suite, scenario, measured, notes) {
  const base = measured.find((row) => row.name === BASELINE)?.opsPerSec;
  return measured.map((row) => ({
    suite,
    scenario,
    ...row,
    ratio: base ? row.opsPerSec / base : undefined,
    ...(notes.get(row.name) && { note: notes.get(row.name) }),
  }));
}

/**
 * @param {typeof import('@org/strategy-jwt')} pkg
 * @param {{ algorithms: string[], timing: object, log: (line: string) => void }} options
 */
export async function runMicro(pkg, { algorithms, timing, log }) {
  const rows = [];
  const probe = keysFor('HS256');
  const verifiedTokenCache = await hasVerifiedTokenCache(pkg, 'HS256', probe);
  if (!verifiedTokenCache)
    log('  (TokenService has no verifiedTokenCache option in this build: row skipped)');
  for (const alg of algorithms) {
    const keys = alg === 'HS256' ? probe : keysFor(alg);
    const ours = ourTokenService(pkg, alg, keys);
    const token = await ours.createAccessToken(EXTRA_CLAIMS, { subject: SUBJECT });
    const tampered = tamperedCopies(token);

    const verifiers = await verifyContenders(pkg, alg, keys, { verifiedTokenCache });
    for (const v of verifiers) await assertAcceptsAndRefuses(v.name, v.verify, token, tampered);
    log(`  verify ${alg}: ${verifiers.length} contenders`);
    const verified = await measureTasks(
      verifiers.map((v) => ({ name: v.name, fn: () => v.verify(token) })),
      timing,
    );
    rows.push(
      ...withRatios('micro', `verify ${alg}`, verified, new Map(verifiers.map((v) => [v.name, v.note]))),
    );

    const signers = await signContenders(pkg, alg, keys);
    for (const s of signers) {
      // A signer's token must pass our strict verifier with the claims asked for, and its tampered
      // copies must not: a signer that produced something else would not be doing the same work.
      const signed = await s.sign();
      const payload = await ours.verifyAccessToken(signed);
      if (
        payload.sub !== SUBJECT ||
        payload.email !== EXTRA_CLAIMS.email ||
        typeof payload.jti !== 'string'
      ) {
        throw new Error(`${s.name} signed other claims than asked for`);
      }
      await assertAcceptsAndRefuses(s.name, (t) => ours.verifyAccessToken(t), signed, tamperedCopies(signed));
    }
    log(`  sign ${alg}: ${signers.length} contenders`);
    const signed = await measureTasks(
      signers.map((s) => ({ name: s.name, fn: s.sign })),
      timing,
    );
    rows.push(...withRatios('micro', `sign ${alg}`, signed, new Map(signers.map((s) => [s.name, s.note]))));
  }
  const sample = await ourTokenService(pkg, 'HS256', probe).createAccessToken(EXTRA_CLAIMS, {
    subject: SUBJECT,
  });
  const payloadBytes = Buffer.from(sample.split('.')[1], 'base64url').length;
  return { rows, verifiedTokenCache, payloadBytes };
}
