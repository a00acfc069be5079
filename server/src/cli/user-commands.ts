import type { Queryable } from '../db/database';
import { findUserByEmail, findUserById } from '../users/user-repository';
import { normalizeEmail } from '../users/user-service';
import { CliFailure, parseCommandLine, UsageError, type CliCommand } from './args';
import { withServices } from './gateway-database';
import { PASSWORD_ENV, readNewPassword } from './password-input';

/** A user named on the command line by id or email. */
export async function findUserByRef(db: Queryable, ref: string) {
  const user = (await findUserById(db, ref)) ?? (await findUserByEmail(db, normalizeEmail(ref)));
  if (!user) throw new CliFailure(`No user has the id or email ${ref}`);
  return user;
}

const CREATE = 'user create';

export const userCreate: CliCommand = {
  name: CREATE,
  summary: 'create a user and print its API key once',
  help: `Usage: baileys-api user create <email> [--name NAME] [--admin] [--password-file FILE]

Creates a user (role USER, or ADMIN with --admin) and prints its API key, shown only this once.

The password is never taken from the command line, where other users of the machine could read it in
the process list. It is read from, in this order:
  --password-file FILE   the first line of FILE
  $${PASSWORD_ENV}  the environment variable
  stdin                  its first line; asked for (twice, not echoed) when stdin is a terminal

Options:
  --email EMAIL          the email, instead of the <email> argument
  --name NAME            display name
  --admin                role ADMIN instead of USER
  -h, --help             this help

Examples:
  baileys-api user create ana@example.com --name Ana
  printf '%s\\n' "$PASSWORD" | baileys-api user create ana@example.com --admin`,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      CREATE,
      args,
      {
        email: { type: 'string' },
        name: { type: 'string' },
        admin: { type: 'boolean', default: false },
        'password-file': { type: 'string' },
        password: { type: 'string' },
      },
      { min: 0, max: 1 },
    );
    if (values.password !== undefined) {
      throw new UsageError(
        `--password is not taken: the process list would show it. Use --password-file, $${PASSWORD_ENV} or stdin`,
        CREATE,
      );
    }
    const email = positionals[0] ?? values.email;
    if (!email) throw new UsageError('the email is required', CREATE);
    if (positionals[0] && values.email) throw new UsageError('give the email once, as the argument or as --email', CREATE);
    const password = await readNewPassword(CREATE, values['password-file']);
    const { user, apiKey } = await withServices((ctx) =>
      ctx.users.create({ email, password, name: values.name ?? null, role: values.admin ? 'ADMIN' : 'USER' }),
    );
    process.stdout.write(`Created ${user.role} ${user.email} (${user.id}).\nAPI key, shown only this once: ${apiKey}\n`);
  },
};

const ROTATE = 'user rotate-key';

export const userRotateKey: CliCommand = {
  name: ROTATE,
  summary: "replace a user's API key and print the new one once",
  help: `Usage: baileys-api user rotate-key <email|id>

Gives the user a new API key and prints it on stdout, shown only this once. The old key stops working
at once on this database (other running gateway processes may accept it for up to AUTH_CACHE_TTL_MS).
Login tokens and the password are unchanged.

Options:
  -h, --help   this help`,
  async run(args) {
    const { positionals } = parseCommandLine(ROTATE, args, {}, { min: 1, max: 1 });
    const { email, apiKey } = await withServices(async (ctx) => {
      const user = await findUserByRef(ctx.db, positionals[0]!);
      return { email: user.email, apiKey: await ctx.users.rotateApiKey(user.id) };
    });
    process.stderr.write(`New API key of ${email}, shown only this once (the old one no longer works):\n`);
    process.stdout.write(`${apiKey}\n`);
  },
};
