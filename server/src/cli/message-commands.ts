import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { findSession } from '../whatsapp/store/session-repository';
import { searchMessages } from '../whatsapp/store/read-queries';
import { CliFailure, parseCommandLine, UsageError, write, type CliCommand } from './args';
import { withDatabase } from './gateway-database';

const EXPORT = 'messages export';
/** Messages read per query: the export holds one page in memory, whatever the session's size. */
const PAGE = 500;

async function openForWriting(path: string): Promise<WriteStream> {
  const file = createWriteStream(path, { mode: 0o600 });
  try {
    await once(file, 'open');
    return file;
  } catch (error) {
    throw new CliFailure(`Cannot write ${path}: ${(error as Error).message}`);
  }
}

export const messagesExport: CliCommand = {
  name: EXPORT,
  summary: "write a session's stored messages as JSON lines",
  help: `Usage: baileys-api messages export <sessionId> [--chat JID] [--since ISO-8601] [--out FILE]

Writes the session's stored messages, one JSON object per line (the shape GET
/api/v1/sessions/:sessionId/messages returns), oldest first. They are read page by page and streamed,
so any number of messages can be exported.

Options:
  --chat JID      only this chat's messages (e.g. 4915112345678@s.whatsapp.net)
  --since TIME    only messages at or after this ISO 8601 time (e.g. 2026-11-01T00:00:00Z)
  --out FILE      write to FILE (created readable by you only) instead of stdout
  -h, --help      this help

The number of messages written is reported on stderr.`,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      EXPORT,
      args,
      { chat: { type: 'string' }, since: { type: 'string' }, out: { type: 'string' } },
      { min: 1, max: 1 },
    );
    const since = values.since === undefined ? undefined : new Date(values.since);
    if (since && (!/^\d{4}-\d{2}-\d{2}/.test(values.since!) || Number.isNaN(since.getTime()))) {
      throw new UsageError(`--since must be an ISO 8601 time, not ${values.since}`, EXPORT);
    }
    if (values.chat === '') throw new UsageError('--chat must be a JID', EXPORT);
    const sessionId = positionals[0]!;
    const exported = await withDatabase(async (db) => {
      const session = await findSession(db, sessionId, {});
      if (!session) throw new CliFailure(`No session ${sessionId}`);
      const file = values.out === undefined ? undefined : await openForWriting(values.out);
      const out = file ?? process.stdout;
      let count = 0;
      let cursor: string | undefined;
      do {
        const page = await searchMessages(db, session.id, { chatId: values.chat, since }, { limit: PAGE, cursor }, 'oldest');
        for (const message of page.data) await write(out, `${JSON.stringify(message)}\n`);
        count += page.data.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      if (file) {
        file.end();
        await finished(file);
      }
      return count;
    });
    process.stderr.write(
      `Exported ${exported} message${exported === 1 ? '' : 's'} of session ${sessionId}${values.out ? ` to ${values.out}` : ''}\n`,
    );
  },
};
