// Checks every publishable package as it would be published: publint (package.json, exports, files)
// and @arethetypeswrong/cli (the types resolve for ESM consumers). Needs `npm run build` first.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const packages = readdirSync('packages').filter(
  (dir) => !JSON.parse(readFileSync(`packages/${dir}/package.json`, 'utf8')).private,
);
let failed = 0;
for (const dir of packages) {
  for (const [tool, args] of [
    ['publint', ['--strict', `packages/${dir}`]],
    ['attw', ['--pack', `packages/${dir}`, '--profile', 'esm-only', '--format', 'ascii']],
  ]) {
    try {
      execFileSync('npx', ['--no-install', tool, ...args], { stdio: 'pipe' });
      console.log(`ok   ${tool} @org/${dir}`);
    } catch (error) {
      failed++;
      console.error(`FAIL ${tool} @org/${dir}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
  }
}
if (failed) process.exit(1);
