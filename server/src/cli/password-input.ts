import { readFile } from 'node:fs/promises';
import { cliPasswordFromEnvironment } from '../config';
import { UsageError } from './args';

export const PASSWORD_ENV = 'BAILEYS_API_PASSWORD';

const firstLine = (text: string) => text.split(/\r?\n/, 1)[0] ?? '';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const onData = (keys: string) => {
      for (const key of keys) {
        if (key === '\r' || key === '\n') return finish(() => resolve(typed));
        if (key === '\u0003' || key === '\u0004') return finish(() => reject(new UsageError('no password given')));
        typed = key === '\u007f' || key === '\b' ? typed.slice(0, -1) : typed + key;
      }
    };
    const finish = (settle: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      settle();
    };
    stdin.on('data', onData);
  });
}

/**
 * The new user's password, never from the command line (where every user of the machine could read it
 * in the process list): from --password-file, else $BAILEYS_API_PASSWORD, else the first line of stdin,
 * asked for twice when stdin is a terminal.
 */
export async function readNewPassword(command: string, passwordFile: string | undefined): Promise<string> {
  const fromEnvironment = cliPasswordFromEnvironment();
  let password: string;
  if (passwordFile !== undefined) {
    try {
      password = firstLine(await readFile(passwordFile, 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read --password-file: ${(error as Error).message}`, command);
    }
  } else if (fromEnvironment !== undefined) {
    password = fromEnvironment;
  } else if (process.stdin.isTTY) {
    password = await promptHidden('Password: ');
    if ((await promptHidden('Repeat it: ')) !== password) throw new UsageError('the two passwords differ', command);
  } else {
    password = firstLine(await readAll(process.stdin));
  }
  if (password === '') throw new UsageError(`no password given: use --password-file, $${PASSWORD_ENV} or stdin`, command);
  return password;
}
