import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Wrong use of the command line: the message goes to stderr and the process exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose `--help` to point at. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A failure that is not a usage error and needs no stack trace: the message goes to stderr, exit 1. */
export class CliFailure extends Error {}

export interface CliCommand {
  /** The words that name it, as typed: `user create`. */
  name: string;
  summary: string;
  /** The full `--help` text. */
  help: string;
  run(args: string[]): Promise<void>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs, strict, with `--help` handled by the caller; unknown options and stray values are usage errors. */
export function parseCommandLine<O extends Options>(
  command: string,
  args: string[],
  options: O,
  positionals: { min: number; max: number },
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError(`missing argument${positionals.min - count > 1 ? 's' : ''}`, command);
  if (count > positionals.max) throw new UsageError(`unexpected argument: ${parsed.positionals[positionals.max]}`, command);
  return parsed;
}

export function wantsHelp(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/** A count of days given on the command line: a positive number. */
export function parseDays(command: string, option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const days = Number(value);
  if (value.trim() === '' || !Number.isFinite(days) || days <= 0)
    throw new UsageError(`--${option} must be a positive number of days`, command);
  return days;
}

/** Writes to stdout and waits when its buffer is full, so a large output never piles up in memory. */
export async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}
