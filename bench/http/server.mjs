// A benchmark server in its own process: `fork('server.mjs', [JSON spec])`. It builds the server the spec
// names, listens on 127.0.0.1 with port 0, and talks to the parent over IPC:
//   child -> { type: 'ready', port, token?, tampered? } | { type: 'unsupported', message }
//   parent -> { type: 'start' }, then { type: 'stop' }; child -> { type: 'usage', cpuUs, changes }
// so the CPU the parent divides by the completed requests is this process's, over the measured window only.
import { frameworkServers } from './servers/frameworks.mjs';
import { nodeServers } from './servers/node.mjs';
import { ringServers } from './servers/ring.mjs';

const BUILDERS = { ...nodeServers, ...frameworkServers, ...ringServers };

const spec = JSON.parse(process.argv[2]);
const build = BUILDERS[spec.kind];
if (!build) throw new Error(`unknown server kind '${spec.kind}'`);

let started;
const counters = { changes: 0 };
let built;
try {
  built = await build(spec, counters);
} catch (error) {
  // A refused option (feature detection, e.g. verifyOptions.offloadSignature on an older build) is
  // reported, not thrown: the parent skips that row with the message as its note.
  if (spec.optional && error?.code === 400) {
    process.send({ type: 'unsupported', message: String(error.message) });
    process.disconnect();
    process.exit(0);
  }
  throw error;
}

process.on('message', (message) => {
  if (message.type === 'start') {
    counters.changes = 0;
    started = process.cpuUsage();
    process.send({ type: 'started' });
  } else if (message.type === 'stop') {
    const { user, system } = process.cpuUsage(started);
    process.send({ type: 'usage', cpuUs: user + system, changes: counters.changes });
  }
});
process.on('disconnect', async () => {
  await built.close?.();
  process.exit(0);
});
process.send({ type: 'ready', port: built.port, token: built.token, tampered: built.tampered });
