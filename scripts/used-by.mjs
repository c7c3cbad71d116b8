// The used-by test: the packages as a new user gets them. Every published package is packed (as
// `npm publish` would), a fresh project is made outside the workspace (ESM, TypeScript strict,
// `moduleResolution: nodenext`), the tarballs are installed there with the third-party packages from
// the registry (nothing from the workspace's node_modules), and the getting-started program, taken from
// docs/getting-started.md unchanged (the blocks after `<!-- used-by: server.ts -->` and
// `<!-- used-by: verify.ts -->`), is compiled and run:
//
// - server.ts signs a user up, logs them in over HTTP, answers the protected route, serves the JWKS and
//   the discovery document, and revokes on logout;
// - verify.ts, a second process, verifies the token from the JWKS URL alone, with jose and with
//   createRemoteVerifier;
// - a CommonJS consumer `require()`s every entry of every package (Node >= 20.19), and a `.cts` one
//   type-checks against the published types.
//
// Needs the packages built (`npm run test:used-by` builds first). `--keep` keeps the project folder.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packAll, publishedPackages, ROOT } from './lib/workspace.mjs';

const GUIDE = 'docs/getting-started.md';
const keep = process.argv.includes('--keep');
const results = { passed: 0, failed: 0 };

/** The ```ts block right after `<!-- used-by: NAME -->` in the guide, as written. */
export function usedByBlock(markdown, name) {
  const marker = `<!-- used-by: ${name} -->`;
  const at = markdown.indexOf(marker);
  if (at < 0) throw new Error(`${GUIDE} has no ${marker}`);
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(markdown.slice(at + marker.length));
  if (!block) throw new Error(`${GUIDE}: no \`\`\`ts block after ${marker}`);
  return block[1];
}

function step(name, fn) {
  return Promise.resolve()
    .then(fn)
    .then(
      () => {
        results.passed++;
        console.log(`ok   ${name}`);
      },
      (error) => {
        results.failed++;
        console.error(`FAIL ${name}\n     ${String(error?.stack ?? error).replaceAll('\n', '\n     ')}`);
      },
    );
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const jwtManifest = JSON.parse(readFileSync(join(ROOT, 'packages/strategy-jwt/package.json'), 'utf8'));
// Third-party versions: the ranges the workspace itself is tested with.
const THIRD_PARTY = {
  dependencies: {
    jose: jwtManifest.dependencies.jose,
    keyv: jwtManifest.dependencies.keyv,
    // The optional peer of @org/http/fastify, whose types the .cts consumer checks.
    fastify: rootManifest.devDependencies.fastify,
  },
  devDependencies: {
    typescript: rootManifest.devDependencies.typescript,
    '@types/node': rootManifest.devDependencies['@types/node'],
  },
};

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs `node file` until it exits; rejects with its output on a non-zero exit. */
function runNode(cwd, file, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`node ${file} exited ${code}:\n${output}`));
    });
  });
}

/** Starts the server program; resolves once it prints its "Listening on" line. */
function startServer(cwd, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/server.js'], { cwd, env: { ...process.env, ...env } });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('Listening on ')) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited ${code} before listening:\n${output}`));
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'org-used-by-'));
const project = join(work, 'app');
let server;
try {
  // 1. Pack, and a fresh project that knows nothing of the workspace.
  const tarballs = packAll(join(work));
  const packages = publishedPackages().filter(({ name }) => name !== '@org/adapter-tests');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify(
      {
        name: 'used-by',
        private: true,
        type: 'module',
        dependencies: {
          ...Object.fromEntries(packages.map(({ name }) => [name, `file:${tarballs.get(name).tarball}`])),
          ...THIRD_PARTY.dependencies,
        },
        devDependencies: THIRD_PARTY.devDependencies,
        // npm 11 runs no dependency's install script unless allowed: better-sqlite3 builds its addon.
        allowScripts: { 'better-sqlite3': true },
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          rootDir: 'src',
          outDir: 'dist',
          types: ['node'],
          // Our published .d.ts files are checked too, with everything they import.
          skipLibCheck: false,
        },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
  );
  const guide = readFileSync(join(ROOT, GUIDE), 'utf8');
  writeFileSync(join(project, 'src/server.ts'), usedByBlock(guide, 'server.ts'));
  writeFileSync(join(project, 'src/verify.ts'), usedByBlock(guide, 'verify.ts'));
  // CommonJS consumers: every entry point of every package (but the conformance ones, which need vitest).
  const entries = packages.flatMap(({ name, manifest }) =>
    Object.keys(manifest.exports)
      .filter((subpath) => subpath !== './package.json' && !subpath.includes('conformance'))
      .map((subpath) => (subpath === '.' ? name : `${name}/${subpath.slice(2)}`)),
  );
  writeFileSync(
    join(project, 'src/consumer.cts'),
    `${entries.map((entry, index) => `import entry${index} = require('${entry}');`).join('\n')}\n` +
      `const loaded: Record<string, number> = { ${entries.map((entry, index) => `'${entry}': Object.keys(entry${index}).length`).join(', ')} };\n` +
      `if (typeof entry${entries.indexOf('@org/core')}.AuthenticationService !== 'function') throw new Error('no AuthenticationService');\n` +
      `if (typeof entry${entries.indexOf('@org/strategy-jwt')}.JWTStrategy !== 'function') throw new Error('no JWTStrategy');\n` +
      `console.log(JSON.stringify(loaded));\n`,
  );

  await step('npm install of the tarballs and the registry packages in a fresh project', () => {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  });
  await step('tsc (strict, nodenext, skipLibCheck off) on the guide, a verifier and a .cts consumer', () => {
    try {
      execFileSync(join(project, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: project, encoding: 'utf8' });
    } catch (error) {
      throw new Error(`${error.stdout}${error.stderr}`, { cause: error });
    }
  });
  await step(`require() of every entry (${entries.join(', ')})`, async () => {
    const output = await runNode(project, 'dist/consumer.cjs');
    const loaded = JSON.parse(output.trim().split('\n').at(-1));
    for (const entry of entries) assert(loaded[entry] > 0, `${entry} loaded with no exports`);
  });

  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const dataDir = join(work, 'data');
  mkdirSync(dataDir);
  let token;
  await step('the getting-started server starts', async () => {
    server = await startServer(project, { PORT: String(port), DATA_DIR: dataDir });
  });
  const call = async (method, path, { body, token: bearer } = {}) => {
    const response = await fetch(`${issuer}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, json: await response.json() };
  };
  const credentials = { email: 'ada@example.com', password: 'correct horse battery staple' };
  if (server) {
    await step('sign-up (POST /users) answers 201 without the password hash', async () => {
      const { status, json } = await call('POST', '/users', { body: credentials });
      assert(status === 201, `status ${status}: ${JSON.stringify(json)}`);
      assert(json.email === credentials.email && !('password' in json), JSON.stringify(json));
    });
    await step('login over HTTP (POST /authentication) issues an ES256 token', async () => {
      const { status, json } = await call('POST', '/authentication', {
        body: { strategy: 'local', ...credentials },
      });
      assert(status === 201 && typeof json.accessToken === 'string', `status ${status}`);
      token = json.accessToken;
      const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
      assert(header.alg === 'ES256' && typeof header.kid === 'string', JSON.stringify(header));
    });
    await step('the protected route: 401 without a token, the user with it', async () => {
      const anonymous = await call('GET', '/me');
      assert(anonymous.status === 401, `status ${anonymous.status}`);
      const { status, json } = await call('GET', '/me', { token });
      assert(status === 200 && json.user?.email === credentials.email, JSON.stringify(json));
      assert(!('password' in json.user), 'the hash left the server');
    });
    await step('JWKS and discovery: public keys only, the JWKS URL advertised', async () => {
      const jwks = await call('GET', '/.well-known/jwks.json');
      assert(jwks.status === 200 && jwks.json.keys.length >= 1, JSON.stringify(jwks.json));
      for (const key of jwks.json.keys) assert(!('d' in key) && key.kty === 'EC', JSON.stringify(key));
      const discovery = await call('GET', '/.well-known/openid-configuration');
      assert(discovery.json.jwks_uri === `${issuer}/.well-known/jwks.json`, JSON.stringify(discovery.json));
    });
    await step(
      'a second process verifies the token from the JWKS URL: jose and createRemoteVerifier',
      async () => {
        const output = await runNode(project, 'dist/verify.js', { ISSUER: issuer, TOKEN: token ?? '' });
        assert(output.includes('jose: user 1; createRemoteVerifier: user 1'), output);
      },
    );
    await step('the verifier refuses a token with a forged signature', async () => {
      const [header, payload] = (token ?? '').split('.');
      const forged = `${header}.${payload}.${Buffer.alloc(64, 1).toString('base64url')}`;
      await runNode(project, 'dist/verify.js', { ISSUER: issuer, TOKEN: forged }).then(
        () => {
          throw new Error('a forged token verified');
        },
        () => undefined,
      );
    });
    await step('logout (DELETE /authentication) revokes: the token is refused afterwards', async () => {
      const logout = await call('DELETE', '/authentication', { token });
      assert(logout.status === 200, `status ${logout.status}: ${JSON.stringify(logout.json)}`);
      const after = await call('GET', '/me', { token });
      assert(after.status === 401 && after.json.data?.reason === 'token-revoked', JSON.stringify(after.json));
    });
  }
} finally {
  server?.child.kill('SIGTERM');
  if (keep) console.log(`project kept in ${project}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(`${results.passed} passed, ${results.failed} failed`);
if (results.failed > 0 || results.passed === 0) process.exitCode = 1;
