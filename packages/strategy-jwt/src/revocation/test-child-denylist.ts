// Child process of the cross-process revocation test: one JSON command per stdin line, one JSON
// answer per stdout line. Runs bundled (see ../shared/test-child-bundle.ts) under plain node.
import { createInterface } from 'node:readline';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import { createDenylist } from './denylist.ts';

const [url, namespace] = process.argv.slice(2);
const adapter = new KeyvRedis(url);
const denylist = createDenylist({ store: new Keyv(adapter), namespace });

const ops: Record<string, (args: any) => Promise<unknown>> = {
  revoke: async (payload) => denylist.revoke(payload).then(() => null),
  isRevoked: async (payload) => denylist.isRevoked(payload),
  revokeAll: async ({ iss, sub }) => denylist.revokeAllForSubject(iss, sub).then(() => null),
};

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const { op, args } = JSON.parse(line) as { op: string; args: unknown };
  ops[op]!(args).then(
    (result) => process.stdout.write(`${JSON.stringify({ result })}\n`),
    (error: { reason?: string }) =>
      process.stdout.write(`${JSON.stringify({ error: error.reason ?? 'error' })}\n`),
  );
});
lines.on('close', () => void adapter.disconnect().then(() => process.exit(0)));
process.stdout.write('"ready"\n');
