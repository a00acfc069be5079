'use strict';
// Builds the web dashboard: bundles server/dashboard/src/main.tsx (Preact) with esbuild and copies
// server/dashboard/public/, into server/dist/dashboard/ (which the gateway serves at /).
// The new build is assembled beside the old one and swapped in, so a running gateway never serves half of one.
const { cpSync, existsSync, renameSync, rmSync } = require('node:fs');
const path = require('node:path');

const serverDir = path.join(__dirname, '..');
const dashboardDir = path.join(serverDir, 'dashboard');
const outDir = path.join(serverDir, 'dist', 'dashboard');

function buildDashboard() {
  const esbuild = require('esbuild');
  const staging = `${outDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    cpSync(path.join(dashboardDir, 'public'), staging, { recursive: true });
    esbuild.buildSync({
      entryPoints: [path.join(dashboardDir, 'src', 'main.tsx')],
      outfile: path.join(staging, 'assets', 'main.js'),
      tsconfig: path.join(dashboardDir, 'tsconfig.json'),
      bundle: true,
      format: 'esm',
      target: 'es2022',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: true,
      sourcemap: 'linked',
      legalComments: 'none',
      logLevel: 'warning',
    });
    rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
  } finally {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  }
}

module.exports = { buildDashboard, dashboardDir, dashboardOutDir: outDir };

if (require.main === module) {
  buildDashboard();
  process.stdout.write(`Dashboard built into ${path.relative(process.cwd(), outDir)}\n`);
}
