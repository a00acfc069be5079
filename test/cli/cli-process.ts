import { collect, spawnTs, type Finished } from '../helpers/processes';

/** The operator CLI as a real process on `databaseUrl`; `stdin` is written to it and closed. */
export function runCli(
  databaseUrl: string,
  args: string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<Finished> {
  const child = spawnTs(
    'server/src/cli.ts',
    args,
    { DATABASE_URL: databaseUrl, BCRYPT_COST: '10', ...options.env },
    { stdin: options.stdin === undefined ? 'ignore' : 'pipe' },
  );
  const { done } = collect(child);
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  return done;
}
