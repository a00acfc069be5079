import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The engine (WhatsApp sessions, their ownership, ingest and events) points one way: it depends on the
// database, events, the outbound network guard and configuration, never on HTTP or the REST features.
const SERVER = path.join(__dirname, '../../server/src');
const ENGINE = ['whatsapp', 'events'];
const ENGINE_MAY_IMPORT = ['whatsapp', 'events', 'db', 'net', 'config.ts'];
/** Engine modules the REST features must reach only through the session manager. */
const ENGINE_INTERNALS = ['whatsapp/session-runtime.ts', 'whatsapp/ingest-queue.ts', 'whatsapp/session-state.ts'];

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );

/** Every relative import of the file, as a path under server/src (with .ts). */
const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((match) => {
    const target = path.relative(SERVER, path.resolve(path.dirname(file), match[1]!));
    return target.endsWith('.ts') ? target : `${target}.ts`;
  });

const area = (target: string) => target.split(path.sep)[0]!;

it('the engine imports only the database, events, the network guard and configuration', () => {
  const offending = ENGINE.flatMap((dir) => sourceFiles(path.join(SERVER, dir))).flatMap((file) =>
    importsOf(file)
      .filter((target) => !ENGINE_MAY_IMPORT.includes(area(target)))
      .map((target) => `${path.relative(SERVER, file)} → ${target}`),
  );
  expect(offending).toEqual([]);
});

it('REST features do not reach into the engine’s internals', () => {
  const features = sourceFiles(SERVER).filter((file) => !ENGINE.includes(area(path.relative(SERVER, file))));
  const offending = features.flatMap((file) =>
    importsOf(file)
      .filter((target) => ENGINE_INTERNALS.includes(target))
      .map((target) => `${path.relative(SERVER, file)} → ${target}`),
  );
  expect(offending).toEqual([]);
});
