// The keys suite: key generation per algorithm, one scheduled key-ring rotation step on the memory
// store (injected clock), and the JWKS response (built once per key-set change, then served).
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { generateKeyPair as joseGenerateKeyPair } from 'jose';
import { measureTasks } from './lib/measure.mjs';

const generate = promisify(generateKeyPair);
const DAY = 86_400_000;
const PERIOD = 30 * DAY;
const KEK = { secret: 'bench-kek-secret-0123456789-abcdefghijklmnopqrstuvwxyz' };
export const KEYS_BASELINE = 'node:crypto generateKeyPair';

const CURVES = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };
function nodeGenerate(alg) {
  if (alg === 'EdDSA') return () => generate('ed25519');
  if (CURVES[alg]) return () => generate('ec', { namedCurve: CURVES[alg] });
  return () => generate('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
}

const strip = (suite, scenario) => (rows, baseline) => {
  const base = rows.find((row) => row.name === baseline)?.opsPerSec;
  return rows.map((row) => ({
    suite,
    scenario,
    ...row,
    ...(base && { ratio: row.opsPerSec / base }),
  }));
};

/** @param {{ jwt: object, internals: { generateSigningKeyPair?: Function }, algorithms: string[], timing: object, log: Function }} options */
export async function runKeys({ jwt, internals, algorithms, timing, log }) {
  const rows = [];
  for (const alg of algorithms) {
    const tasks = [];
    if (internals.generateSigningKeyPair) {
      tasks.push({
        name: 'ours (key ring generation: node:crypto, JWK, thumbprint)',
        fn: () => internals.generateSigningKeyPair(alg, 2048),
      });
    }
    tasks.push(
      { name: KEYS_BASELINE, fn: nodeGenerate(alg) },
      { name: 'jose generateKeyPair', fn: () => joseGenerateKeyPair(alg, { extractable: true }) },
    );
    log(`  keygen ${alg}: ${tasks.length} contenders`);
    // An RSA key takes a large part of a second: count a few per round so a round is not one sample.
    const keygenTiming = { ...timing, minOps: alg.startsWith('RS') || alg.startsWith('PS') ? 4 : 1 };
    rows.push(...strip('keys', `generate ${alg}`)(await measureTasks(tasks, keygenTiming), KEYS_BASELINE));
  }

  // A rotation step: the clock moves one rotation period and the ring refreshes, which creates,
  // encrypts and stores the next key, activates it and retires the old one (ES256, the default).
  let t = 20_000 * PERIOD + 10 * DAY;
  const ring = jwt.createKeyRing({
    kek: KEK,
    store: jwt.keyvKeyStore(),
    now: () => t,
    rotationPeriod: '30d',
  });
  await ring.start();
  try {
    const step = async () => {
      t += PERIOD;
      await ring.refresh();
    };
    // Fairness for this suite: a step must actually change the signing key.
    const before = (await ring.getSigningKey()).kid;
    await step();
    if ((await ring.getSigningKey()).kid === before) throw new Error('a rotation step did not rotate');
    log('  key ring rotation step and JWKS');
    const jwks = new jwt.JwksEndpoint(ring, { clock: () => t });
    const etag = jwks.etag;
    if (jwks.respond('GET').status !== 200 || jwks.respond('GET', etag).status !== 304) {
      throw new Error('JWKS endpoint did not answer 200 and 304');
    }
    const measured = await measureTasks(
      [
        { name: 'KeyRing rotation step (ES256, memory store)', fn: step },
        {
          name: 'JWKS body build (public JWKs, JSON, ETag)',
          fn: () => new jwt.JwksEndpoint(ring, { clock: () => t }).close(),
        },
        { name: 'JWKS respond 200 (prebuilt body)', fn: () => jwks.respond('GET') },
        { name: 'JWKS respond 304 (If-None-Match)', fn: () => jwks.respond('GET', jwks.etag) },
      ],
      timing,
    );
    jwks.close();
    rows.push(...strip('keys', 'key ring and JWKS')(measured));
  } finally {
    await ring.stop();
  }
  return rows;
}
