import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/*
 * What `npm publish` would put on the registry (the release workflow cannot run here): the n8n
 * package is built with its own scripts in a scratch copy of the files it is made from (so the
 * working tree's dist/ is left alone), then packed the way npm publishes it.
 */

jest.setTimeout(180_000);

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const SOURCES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.base.json',
  'gulpfile.js',
  'nodes',
  'credentials',
  'README.md',
  'LICENSE',
];
/** Scripts npm runs by itself on install, pack or publish. */
const LIFECYCLE_SCRIPTS = [
  'preinstall',
  'install',
  'postinstall',
  'preprepare',
  'prepare',
  'postprepare',
  'prepublish',
  'prepublishOnly',
  'prepack',
  'postpack',
  'publish',
  'postpublish',
];

let dir: string;
let files: string[];
let published: Record<string, any>;

const npm = (...args: string[]) =>
  run('npm', args, {
    cwd: dir,
    env: { ...process.env, PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}` },
    maxBuffer: 16 * 1024 * 1024,
  });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'n8n-package-'));
  for (const source of SOURCES) cpSync(path.join(root, source), path.join(dir, source), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  await npm('run', 'build:nodes');
  const listed = JSON.parse((await npm('pack', '--dry-run', '--json', '--ignore-scripts')).stdout);
  files = listed[0].files.map((file: { path: string }) => file.path).sort();
  const packed = JSON.parse((await npm('pack', '--json', '--ignore-scripts', '--pack-destination', dir)).stdout);
  await run('tar', ['-xzf', path.join(dir, packed[0].filename), '-C', dir, 'package/package.json']);
  published = JSON.parse(readFileSync(path.join(dir, 'package/package.json'), 'utf8'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the published n8n package', () => {
  it('holds only the compiled nodes and credentials, their icons and codex files, package.json, README and LICENSE', () => {
    const unexpected = files.filter(
      (file) =>
        !['package.json', 'README.md', 'LICENSE'].includes(file) &&
        !/^dist\/(nodes|credentials)\/.+\.(js|svg)$/.test(file) &&
        !/^dist\/nodes\/.+\.node\.json$/.test(file),
    );
    expect(unexpected).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    expect(files.some((file) => file.startsWith('server/') || file.endsWith('.ts') || file.endsWith('.map'))).toBe(false);
  });

  it('has every node and credential it declares, each with its codex and two different icons', () => {
    const declared: string[] = [...published.n8n.nodes, ...published.n8n.credentials];
    expect(published.n8n.nodes).toContain('dist/nodes/WhatsAppBaileys/WhatsAppBaileys.node.js');
    expect(published.n8n.credentials).toEqual(['dist/credentials/BaileysApi.credentials.js']);
    for (const entry of declared) {
      expect(files).toContain(entry);
      const module = createRequire(__filename)(path.join(dir, entry));
      const instance = new (Object.values(module)[0] as new () => any)();
      const icon = instance.description?.icon ?? instance.icon;
      const [light, dark] = [icon.light, icon.dark].map((file: string) => path.join(path.dirname(entry), file.replace(/^file:/, '')));
      expect(files).toEqual(expect.arrayContaining([light, dark]));
      expect(readFileSync(path.join(dir, light)).equals(readFileSync(path.join(dir, dark)))).toBe(false);
      if (entry.endsWith('.node.js')) {
        const codex = entry.replace(/\.js$/, '.json');
        expect(files).toContain(codex);
        const json = JSON.parse(readFileSync(path.join(dir, codex), 'utf8'));
        expect(json).toMatchObject({ node: `${published.name}.${instance.description.name}`, categories: expect.any(Array) });
        expect(json.alias?.length).toBeGreaterThan(0);
        expect(json).not.toHaveProperty('subcategories');
      }
    }
  });

  it('declares no runtime dependencies, no install or publish scripts, no overrides, and only n8n-workflow as a peer', () => {
    expect(published.dependencies ?? {}).toEqual({});
    expect(Object.keys(published.scripts ?? {}).filter((name) => LIFECYCLE_SCRIPTS.includes(name))).toEqual([]);
    expect(published).not.toHaveProperty('overrides');
    expect(published.peerDependencies).toEqual({ 'n8n-workflow': '*' });
    expect(published.license).toBe('MIT');
    expect(published.keywords).toContain('n8n-community-node-package');
    expect(published.files).toEqual(['dist']);
    expect(existsSync(path.join(root, 'LICENSE'))).toBe(true);
  });
});
