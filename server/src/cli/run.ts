import { ConfigError } from '../config';
import { HttpError } from '../http/errors';
import { CliFailure, UsageError, wantsHelp, type CliCommand } from './args';
import { messagesExport } from './message-commands';
import { migrate } from './migrate-command';
import { prune } from './prune-command';
import { sessionsList } from './session-commands';
import { userCreate, userRotateKey } from './user-commands';

export const COMMANDS: CliCommand[] = [migrate, userCreate, userRotateKey, sessionsList, prune, messagesExport];

/** The spelling of `user create` before the CLI had command groups; `npm run user:create` used it. */
const ALIASES: Record<string, string[]> = { 'user-create': ['user', 'create'] };

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const column = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
const listing = (commands: CliCommand[]) => commands.map((c) => `  ${c.name.padEnd(column)}${c.summary}`).join('\n');

const HELP = `Usage: baileys-api <command> [options]

Operator commands of the WhatsApp gateway. They work on the database in DATABASE_URL (and read the
rest of the gateway's configuration from the environment, as the gateway does), creating and
migrating it first if needed.

Commands:
${listing(COMMANDS)}

Run 'baileys-api <command> --help' for a command's options.
Exit codes: 0 done, 1 failed, 2 wrong usage. Errors go to stderr.`;

function find(words: string[]): { command?: CliCommand; group?: string; rest: string[] } {
  const expanded = ALIASES[words[0] ?? ''] ? [...ALIASES[words[0]!]!, ...words.slice(1)] : words;
  for (const command of COMMANDS) {
    const name = command.name.split(' ');
    if (name.every((word, i) => expanded[i] === word)) return { command, rest: expanded.slice(name.length) };
  }
  const group = COMMANDS.some((c) => c.name.startsWith(`${expanded[0]} `)) ? expanded[0] : undefined;
  return { group, rest: expanded.slice(1) };
}

async function dispatch(argv: string[]): Promise<void> {
  if (argv.length === 0) throw new UsageError('a command is required');
  if (argv[0] === 'help' && argv.length > 1) return dispatch([...argv.slice(1), '--help']);
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const { command, group, rest } = find(argv);
  if (command) {
    if (wantsHelp(rest)) process.stdout.write(`${command.help}\n`);
    else await command.run(rest);
    return;
  }
  if (group) {
    const commands = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
    if (wantsHelp(rest)) {
      process.stdout.write(`Commands of ${group}:\n${listing(commands)}\n`);
      return;
    }
    throw new UsageError(`${rest[0] ? `unknown command: ${group} ${rest[0]}` : `${group} needs a command`}\n${listing(commands)}`);
  }
  throw new UsageError(`unknown command: ${argv[0]}`);
}

/** Runs one command line; returns the exit code, having written any error to stderr. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await dispatch(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error.command ? `baileys-api ${error.command} --help` : 'baileys-api --help';
      process.stderr.write(`baileys-api: ${error.message}\nRun '${help}' for usage.\n`);
      return EXIT.usage;
    }
    const known = error instanceof CliFailure || error instanceof ConfigError || error instanceof HttpError;
    process.stderr.write(`baileys-api: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
    return EXIT.failure;
  }
}
