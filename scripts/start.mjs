// `npm start`: runs the demo server (apps/demo) straight from its TypeScript sources and those of the
// workspace packages, so nothing needs building first: tsx compiles TypeScript on the fly (Node 20
// cannot strip types), and the `@org/source` export condition points every `@org/*` import at its
// package's src/ (the condition the tests and typecheck use). Ctrl-C and SIGTERM reach the server,
// which closes its stores before exiting.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const demo = fileURLToPath(new URL('../apps/demo/', import.meta.url));
const server = spawn(
  process.execPath,
  ['--conditions=@org/source', '--import', 'tsx', 'src/main.ts', ...process.argv.slice(2)],
  {
    cwd: demo,
    stdio: 'inherit',
  },
);

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)));
