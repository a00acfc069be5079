import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { dashboardOutDir } from '../../server/scripts/build-dashboard';
import { ConfigSchema, loadConfig } from '../../server/src/config';
import { N8N_VERSION } from '../n8n/install';
import { REPO_ROOT } from '../helpers/processes';

/*
 * Docker cannot run here, so the Dockerfile and docker-compose.yml are checked against the project
 * instead: every path they copy, npm script they run, port, route and environment variable they name
 * exists (and every gateway's environment passes the gateway's own config validation).
 */

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const packageJson = (dir: string) => JSON.parse(read(path.join(dir, 'package.json')));

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

function dockerfileStages(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n');
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const [, keyword, rest] = /^(\w+)\s+(.*)$/.exec(line)!;
    const instruction = { keyword: keyword!.toUpperCase(), args: rest! };
    if (instruction.keyword === 'FROM') {
      const [, image, name] = /^(\S+)\s+AS\s+(\S+)$/i.exec(rest!)!;
      stages.push({ name: name!, from: image!.replace(/^\$\{(\w+)\}$/, (_, arg: string) => args[arg]!), instructions: [] });
    } else if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [name, value] = rest!.split('=');
      args[name!] = value!;
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = dockerfileStages(read('Dockerfile'));
const stage = (name: string) => dockerfile.stages.find((s) => s.name === name)!;
const copies = (s: Stage) =>
  s.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1]! };
    });
const env = (s: Stage) =>
  Object.fromEntries(
    s.instructions
      .filter((i) => i.keyword === 'ENV')
      .flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split('=') as [string, string])),
  );
const runs = (s: Stage) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const dockerignore = read('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const ignored = (file: string) =>
  dockerignore.some((pattern) => {
    const bare = pattern.replace(/^\*\*\//, '');
    return file === bare || file.startsWith(`${bare}/`) || (pattern.startsWith('**/') && file.split('/').includes(bare));
  });

/** Where tsc writes a source file: outDir + its path below rootDir (both from the tsconfig); paths from the repository root. */
function compiledPath(tsconfigFile: string, source: string): string {
  const config = JSON.parse(read(tsconfigFile)).compilerOptions;
  const dir = path.dirname(tsconfigFile);
  const relative = path.relative(path.join(dir, config.rootDir), source).replace(/\.ts$/, '.js');
  return path.join(dir, config.outDir, relative);
}

const CONFIG_VARIABLES = Object.keys(ConfigSchema.properties);
const GATEWAY_STAGE = stage('gateway');
const WORKDIR = GATEWAY_STAGE.instructions.find((i) => i.keyword === 'WORKDIR')!.args;
const inImage = (file: string) => path.posix.relative(WORKDIR, path.posix.resolve(WORKDIR, file));

describe('Dockerfile', () => {
  it('is multi-stage on node:24-slim, the gateway last (the default target), running as a non-root user', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'deps', 'n8n', 'gateway']);
    for (const name of ['build', 'deps', 'gateway']) expect(stage(name).from).toBe('node:24-slim');
    expect(packageJson('.').engines.node).toBe('>=24');
    const user = GATEWAY_STAGE.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(user).toEqual(['node']);
  });

  it('copies only paths that exist in the project and that .dockerignore lets through', () => {
    const sources = dockerfile.stages.flatMap((s) => copies(s).filter((c) => !c.from)).flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(10);
    for (const source of sources) {
      expect([source, existsSync(path.join(REPO_ROOT, source))]).toEqual([source, true]);
      expect([source, ignored(source)]).toEqual([source, false]);
    }
    for (const secretOrBuild of ['.env', 'node_modules', 'server/node_modules', 'dist', 'server/dist', '.git'])
      expect(ignored(secretOrBuild)).toBe(true);
  });

  it('runs npm scripts that exist, and builds what the later stages copy out of it', () => {
    const scripts = { root: packageJson('.').scripts, server: packageJson('server').scripts };
    const named = dockerfile.stages.flatMap(runs).flatMap((run) => [...run.matchAll(/npm run (\S+)( --workspace server)?/g)]);
    expect(named.map((m) => m[1])).toEqual(['build:nodes', 'build']);
    for (const [, script, workspace] of named) expect(Object.keys(workspace ? scripts.server : scripts.root)).toContain(script);
    expect(scripts.root['build:nodes']).toContain('tsc -p tsconfig.json');
    // The server's build compiles the gateway and bundles the dashboard, both into server/dist.
    expect(scripts.server.build).toBe('tsc -p tsconfig.json && node scripts/build-dashboard.js');
    expect(path.relative(REPO_ROOT, dashboardOutDir)).toBe(path.join('server', 'dist', 'dashboard'));

    const fromBuild = dockerfile.stages.flatMap((s) => copies(s).filter((c) => c.from === 'build')).map((c) => c.sources[0]);
    expect(fromBuild.sort()).toEqual(['/app/dist', '/app/server/dist']);
    const buildDir = stage('build').instructions.find((i) => i.keyword === 'WORKDIR')!.args;
    expect(path.posix.join(buildDir, JSON.parse(read('tsconfig.json')).compilerOptions.outDir)).toBe('/app/dist');
    expect(path.posix.join(buildDir, 'server', JSON.parse(read('server/tsconfig.json')).compilerOptions.outDir)).toBe('/app/server/dist');
  });

  it('installs production dependencies only in the final image, from the lockfile', () => {
    expect(runs(stage('deps'))).toEqual([expect.stringMatching(/^npm ci --omit=dev /)]);
    expect(runs(GATEWAY_STAGE)).toEqual([]);
    expect(copies(GATEWAY_STAGE).filter((c) => c.from === 'deps')).toEqual([
      { from: 'deps', sources: ['/app/node_modules'], dest: 'node_modules' },
    ]);
    expect(read('.npmrc')).toContain('ignore-scripts=true');
  });

  it('starts the compiled gateway, which the CLI bin and npm start also use', () => {
    const cmd = JSON.parse(GATEWAY_STAGE.instructions.find((i) => i.keyword === 'CMD')!.args);
    expect(cmd).toEqual(['node', 'server/dist/server/src/main.js']);
    expect(inImage(cmd[1])).toBe(compiledPath('server/tsconfig.json', 'server/src/main.ts'));
    expect(path.join('server', packageJson('server').main)).toBe(cmd[1]);
    const bin = packageJson('server').bin['baileys-api'];
    expect(copies(GATEWAY_STAGE).some((c) => c.sources.includes(path.join('server', path.dirname(bin))))).toBe(true);
    expect(existsSync(path.join(REPO_ROOT, 'server', bin))).toBe(true);
  });

  it('exposes the configured port and checks health on a route the gateway serves', () => {
    const vars = env(GATEWAY_STAGE);
    for (const name of Object.keys(vars)) expect(['NODE_ENV', ...CONFIG_VARIABLES]).toContain(name);
    expect(() => loadConfig(vars)).not.toThrow();
    const expose = GATEWAY_STAGE.instructions.find((i) => i.keyword === 'EXPOSE')!.args;
    expect(expose).toBe(vars.PORT);
    const healthcheck = GATEWAY_STAGE.instructions.find((i) => i.keyword === 'HEALTHCHECK')!.args;
    const [, route] = /127\.0\.0\.1:' \+ \(process\.env\.PORT \|\| (\d+)\) \+ '(\/\w+)'/.exec(healthcheck)!.slice(1);
    expect(/\|\| (\d+)\)/.exec(healthcheck)![1]).toBe(String(loadConfig({}).PORT));
    expect(read('server/src/http/health-routes.ts')).toContain(`'${route}'`);
  });

  it('puts the built n8n nodes where n8n loads custom extensions, on the n8n version the project tests', () => {
    const n8n = stage('n8n');
    expect(n8n.from).toBe(`docker.n8n.io/n8nio/n8n:${N8N_VERSION}`);
    expect(N8N_VERSION).toMatch(/^2\./);
    const [copy] = copies(n8n);
    expect(copy).toMatchObject({ from: 'build', sources: ['/app/dist'] });
    expect(env(n8n).N8N_CUSTOM_EXTENSIONS).toBe(copy!.dest);
    for (const built of [...packageJson('.').n8n.nodes, ...packageJson('.').n8n.credentials] as string[]) {
      const source = built.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect(compiledPath('tsconfig.json', source)).toBe(built);
      expect(existsSync(path.join(REPO_ROOT, source))).toBe(true);
    }
  });
});

/** The compose file with ${VAR:?message} and ${VAR:-default} filled in: sample values, or the default. */
const SAMPLE: Record<string, string> = {
  MYSQL_PASSWORD: 'sample-mysql-password',
  MYSQL_ROOT_PASSWORD: 'sample-root-password',
  ADMIN_PASSWORD: 'sample-admin-password',
  AUTH_ENCRYPTION_KEY: 'a'.repeat(64),
  N8N_ENCRYPTION_KEY: 'sample-n8n-key',
};
const composeText = read('docker-compose.yml');
const interpolated = [...composeText.matchAll(/\$\{(\w+)(?::([?-])([^}]*))?\}/g)];
const compose = parse(
  composeText.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) =>
    kind === '-' ? rest! : (SAMPLE[name] ?? `<${name}>`),
  ),
  { merge: true },
);
const services: Record<string, any> = compose.services;
const GATEWAYS = ['gateway-1', 'gateway-2'];
const containerPorts = (service: any) => (service.ports as string[]).map((p) => p.split(':').pop());

describe('docker-compose.yml', () => {
  it('runs MySQL 8, two gateways and n8n, built from this Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual(['gateway-1', 'gateway-2', 'mysql', 'n8n']);
    expect(services.mysql.image).toMatch(/^mysql:8\./);
    for (const name of [...GATEWAYS, 'n8n']) {
      const { context, target } = services[name].build;
      expect(existsSync(path.join(REPO_ROOT, context, 'Dockerfile'))).toBe(true);
      expect(dockerfile.stages.map((s) => s.name)).toContain(target);
    }
    expect(GATEWAYS.map((name) => services[name].build.target)).toEqual(['gateway', 'gateway']);
    expect(services.n8n.build.target).toBe('n8n');
    for (const service of Object.values(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(Object.keys(services)).toContain(dependency);
      for (const volume of (service.volumes ?? []) as string[]) expect(Object.keys(compose.volumes)).toContain(volume.split(':')[0]);
    }
    expect(services.mysql.healthcheck.test.join(' ')).toContain('mysqladmin ping');
  });

  it('gives each gateway only settings the gateway knows, with values its config validation accepts', () => {
    for (const name of GATEWAYS) {
      const environment: Record<string, string> = services[name].environment;
      for (const variable of Object.keys(environment))
        expect([name, variable, CONFIG_VARIABLES.includes(variable)]).toEqual([name, variable, true]);
      expect(() => loadConfig(environment)).not.toThrow();
      expect(loadConfig(environment).AUTH_ENCRYPTION_KEY).toBe(SAMPLE.AUTH_ENCRYPTION_KEY);
    }
  });

  it('lets the gateways reach each other and the database, by service name and the configured port', () => {
    const urls = GATEWAYS.map((name) => new URL(services[name].environment.GATEWAY_INTERNAL_URL));
    GATEWAYS.forEach((name, i) => {
      const config = loadConfig(services[name].environment);
      expect(urls[i]!.hostname).toBe(name);
      expect(urls[i]!.port).toBe(String(config.PORT));
      expect(containerPorts(services[name])).toEqual([String(config.PORT)]);
      expect(env(GATEWAY_STAGE).PORT).toBe(String(config.PORT));
      const database = new URL(config.DATABASE_URL);
      const mysql = services.mysql.environment;
      expect(database.hostname).toBe('mysql');
      expect(database.port).toBe('3306');
      expect(database.pathname).toBe(`/${mysql.MYSQL_DATABASE}`);
      expect(database.username).toBe(mysql.MYSQL_USER);
      expect(decodeURIComponent(database.password)).toBe(mysql.MYSQL_PASSWORD);
      expect(Object.keys(services[name].depends_on)).toEqual(['mysql']);
    });
    const hostPorts = GATEWAYS.flatMap((name) => (services[name].ports as string[]).map((p) => p.split(':')[0]));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it("wires n8n's webhooks to the gateways' allowlist, and n8n after a healthy gateway", () => {
    const n8n = services.n8n.environment;
    const webhookUrl = new URL(n8n.WEBHOOK_URL);
    expect(webhookUrl.hostname).toBe('n8n');
    expect(webhookUrl.port).toBe(n8n.N8N_PORT);
    expect(containerPorts(services.n8n)).toEqual([n8n.N8N_PORT]);
    for (const name of GATEWAYS) {
      expect(loadConfig(services[name].environment).WEBHOOK_ALLOWED_HOSTS.split(',')).toContain(webhookUrl.hostname);
    }
    expect(services.n8n.depends_on['gateway-1'].condition).toBe('service_healthy');
    expect(GATEWAY_STAGE.instructions.some((i) => i.keyword === 'HEALTHCHECK')).toBe(true);
  });

  it('needs only the variables the README tells the operator to set', () => {
    const deploySection = read('README.md').split('## Deploy with Docker')[1]!.split('\n## ')[0]!;
    const required = [...new Set(interpolated.filter((m) => m[2] === '?').map((m) => m[1]!))];
    expect(required.sort()).toEqual(Object.keys(SAMPLE).sort());
    for (const variable of [...required, ...interpolated.filter((m) => m[2] === '-').map((m) => m[1]!)])
      expect(deploySection).toContain(variable);
  });
});
