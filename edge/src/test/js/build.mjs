// Compiles every src/*.js app to <outDir>/<name>.wasm with @fastly/js-compute.
// A build is skipped when the app source and the compiler version are unchanged (hash stamp beside the .wasm).
// An app that needs compiler flags names them in a line of its own: // js-compute-flags: --enable-http-cache
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

const outDir = resolve(process.argv[2] ?? 'bin');
const compiler = resolve('node_modules/@fastly/js-compute/dist/cli/js-compute-runtime-cli.js');
if (!existsSync('node_modules/@fastly/js-compute/package.json')) {
  console.error(`edge test apps: node_modules missing in ${process.cwd()}; run: (cd ${process.cwd()} && npm install) or .ci/setup.sh`);
  process.exit(1);
}
const compilerVersion = JSON.parse(readFileSync('node_modules/@fastly/js-compute/package.json', 'utf8')).version;
mkdirSync(outDir, { recursive: true });

for (const file of readdirSync('src').filter((f) => f.endsWith('.js')).sort()) {
  const name = file.slice(0, -3);
  const source = readFileSync(join('src', file));
  const hash = createHash('sha256').update(compilerVersion).update('\0').update(source).digest('hex');
  const wasm = join(outDir, `${name}.wasm`);
  const stamp = join(outDir, `${name}.sha256`);
  if (existsSync(wasm) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
    continue;
  }
  const started = Date.now();
  const flags = /^\/\/ js-compute-flags: (.*)$/m.exec(source.toString('utf8'))?.[1].trim().split(/\s+/) ?? [];
  execFileSync(process.execPath, [compiler, ...flags, join('src', file), wasm], { stdio: 'inherit' });
  writeFileSync(stamp, hash);
  console.log(`edge test apps: ${file} -> ${wasm} (${Date.now() - started} ms)`);
}
