'use strict';
// Compiles the gateway, and builds the web dashboard, when their output is missing or older than any source file.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const serverDir = path.join(__dirname, '..');
const sourceDirs = [path.join(serverDir, 'src'), path.join(serverDir, '..', 'migrations')];
const sentinel = path.join(serverDir, 'dist', 'server', 'src', 'main.js');

function newestSource(dir, isSource = (name) => name.endsWith('.ts')) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full, isSource));
    else if (isSource(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function buildIfNeeded() {
  const stale =
    !existsSync(sentinel) ||
    statSync(sentinel).mtimeMs < Math.max(...sourceDirs.map(newestSource), statSync(path.join(serverDir, 'tsconfig.json')).mtimeMs);
  if (!stale) return;
  process.stdout.write('Building the gateway...\n');
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(serverDir, 'tsconfig.json')], { stdio: 'inherit' });
}

/** Without the dashboard's build tools (an install without dev dependencies) the gateway starts anyway and `/` says how to build it. */
function buildDashboardIfNeeded() {
  const { buildDashboard, dashboardDir, dashboardOutDir } = require('./build-dashboard');
  const sentinel = path.join(dashboardOutDir, 'index.html');
  const newest = Math.max(newestSource(dashboardDir, () => true), statSync(path.join(__dirname, 'build-dashboard.js')).mtimeMs);
  if (existsSync(sentinel) && statSync(sentinel).mtimeMs >= newest) return;
  try {
    require.resolve('esbuild');
  } catch {
    process.stdout.write('Not building the dashboard: esbuild is not installed (a production install); / will answer 503.\n');
    return;
  }
  process.stdout.write('Building the dashboard...\n');
  buildDashboard();
}

module.exports = { buildIfNeeded, buildDashboardIfNeeded, distEntry: (name) => path.join(serverDir, 'dist', 'server', 'src', `${name}.js`) };
