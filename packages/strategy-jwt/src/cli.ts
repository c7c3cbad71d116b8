#!/usr/bin/env node
// The `org-keys` bin: manages a key ring's store (generate, list, rotate, revoke, rewrap, import,
// export-jwks, verify-token). See docs/jwks-and-revocation.md.
import { runCli } from './cli/main.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  readStdin,
});
process.exitCode = code;
