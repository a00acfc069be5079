'use strict';
// Compiles the gateway when dist/ is missing or older than any source file.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const serverDir = path.join(__dirname, '..');
const sourceDirs = [path.join(serverDir, 'src'), path.join(serverDir, '..', 'migrations')];
const sentinel = path.join(serverDir, 'dist', 'server', 'src', 'main.js');

const modified = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

function newestSource(dir) {
  let newest = 0;
  // An installation without the sources (the Docker image) runs the build it was shipped with.
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function buildIfNeeded() {
  const stale =
    !existsSync(sentinel) ||
    statSync(sentinel).mtimeMs < Math.max(...sourceDirs.map(newestSource), modified(path.join(serverDir, 'tsconfig.json')));
  if (!stale) return;
  // stderr: stdout may be a command's output (baileys-api messages export > file).
  process.stderr.write('Building the gateway...\n');
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(serverDir, 'tsconfig.json')], { stdio: 'inherit' });
}

module.exports = { buildIfNeeded, distEntry: (name) => path.join(serverDir, 'dist', 'server', 'src', `${name}.js`) };
