// The e2e suite: AuthenticationService.authenticate({ strategy: 'jwt', accessToken }) as a request
// runs it (verify, then load the user with `provider: 'rest'`), ours on the memory and SQLite adapters
// with the JWT strategy's entity cache off and on, against @feathersjs/authentication on
// @feathersjs/memory, all on the same HS256 token and the same user.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthenticationService as FeathersAuthenticationService,
  JWTStrategy as FeathersJWTStrategy,
} from '@feathersjs/authentication';
import { feathers } from '@feathersjs/feathers';
import { MemoryService as FeathersMemoryService } from '@feathersjs/memory';
import { assertAcceptsAndRefuses, measureTasks } from './lib/measure.mjs';
import { tamperedCopies } from './micro/algorithms.mjs';

const SECRET = 'Zp4uQm8sVx2kLr7nBd3hTy6wJc9fGa1eHq5NvXo0iMbKt2WsYd7Ue4Rj9Pc1Lf6A';
// The Feathers generator's jwtOptions, which are also our defaults.
const JWT_OPTIONS = {
  header: { typ: 'access' },
  audience: 'https://yourdomain.com',
  issuer: 'feathers',
  algorithm: 'HS256',
  expiresIn: '1d',
};
const USER = { id: 1, email: 'ada@example.com', name: 'Ada Lovelace', roles: ['admin'] };
const PARAMS = { provider: 'rest' };
export const E2E_BASELINE = '@feathersjs/authentication + @feathersjs/memory';

async function feathersAuth() {
  const app = feathers();
  app.set('authentication', {
    secret: SECRET,
    entity: 'user',
    service: 'users',
    authStrategies: ['jwt'],
    jwtOptions: JWT_OPTIONS,
  });
  app.use('users', new FeathersMemoryService({ id: 'id', startId: 1 }));
  await app.service('users').create({ ...USER });
  const auth = new FeathersAuthenticationService(app);
  auth.register('jwt', new FeathersJWTStrategy());
  app.use('authentication', auth);
  return auth;
}

/** Runs `fn` without printing the one warning it is known to emit (the in-process denylist default). */
export async function quietly(code, fn) {
  const emit = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    const options = rest[0];
    if ((typeof options === 'object' ? options?.code : rest[1]) === code) return;
    emit.call(process, warning, ...rest);
  };
  try {
    return await fn();
  } finally {
    process.emitWarning = emit;
  }
}

async function ourAuth(core, jwt, users, entityCache, verifiedTokenCache = false) {
  const auth = new core.AuthenticationService(
    {
      secret: SECRET,
      service: 'users',
      authStrategies: ['jwt'],
      jwtOptions: JWT_OPTIONS,
      ...(entityCache && { entityCache: { ttl: 60_000 } }),
    },
    { services: { users } },
  );
  if (verifiedTokenCache) {
    // The JWT strategy keeps a token issuer it finds registered, so this one carries the cache.
    auth.setTokenIssuer(
      new jwt.TokenService({ secret: SECRET, jwtOptions: JWT_OPTIONS, verifiedTokenCache: true }),
    );
  }
  const strategy = new jwt.JWTStrategy();
  auth.register('jwt', strategy);
  await quietly('ORG_JWT_REVOCATION_IN_PROCESS', () => auth.setup());
  return { auth, close: () => strategy.entityCache?.close() };
}

/** @param {{ core: object, jwt: object, memory: object, sqlite: object, verifiedTokenCache: boolean, timing: object, log: Function }} deps */
export async function runE2e({ core, jwt, memory, sqlite, verifiedTokenCache, timing, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'org-auth-bench-'));
  const closers = [];
  try {
    const memoryUsers = new memory.MemoryService({ records: [{ ...USER }] });
    const sqliteUsers = sqlite.sqliteAdapter({ filename: join(dir, 'users.db'), table: 'users' });
    closers.push(() => sqliteUsers.close());
    await sqliteUsers.create({ ...USER });
    const contenders = [];
    for (const [store, users] of [
      ['memory', memoryUsers],
      ['sqlite', sqliteUsers],
    ]) {
      for (const cache of [false, true]) {
        const { auth, close } = await ourAuth(core, jwt, users, cache);
        closers.push(close);
        contenders.push({ name: `ours + adapter-${store}, entity cache ${cache ? 'on' : 'off'}`, auth });
      }
    }
    if (verifiedTokenCache) {
      const { auth, close } = await ourAuth(core, jwt, memoryUsers, true, true);
      closers.push(close);
      contenders.push({ name: 'ours + adapter-memory, entity cache on + verifiedTokenCache', auth });
    }
    contenders.push({ name: E2E_BASELINE, auth: await feathersAuth() });

    // One token for all: ours mints it, Feathers and ours both accept it.
    const accessToken = await contenders[0].auth.createAccessToken({}, { subject: String(USER.id) });
    const tampered = tamperedCopies(accessToken);
    const tasks = [];
    for (const { name, auth } of contenders) {
      const run = async (token) => {
        const result = await auth.authenticate({ strategy: 'jwt', accessToken: token }, { ...PARAMS }, 'jwt');
        if (result.user?.email !== USER.email) throw new Error('wrong user');
        return result;
      };
      await assertAcceptsAndRefuses(name, run, accessToken, tampered);
      tasks.push({ name, fn: () => run(accessToken) });
    }
    log(`  authenticate: ${tasks.length} contenders`);
    const measured = await measureTasks(tasks, timing);
    const base = measured.find((row) => row.name === E2E_BASELINE).opsPerSec;
    return measured.map((row) => ({
      suite: 'e2e',
      scenario: 'authenticate (jwt, HS256)',
      ...row,
      ratio: row.opsPerSec / base,
    }));
  } finally {
    for (const close of closers) close();
    rmSync(dir, { recursive: true, force: true });
  }
}
