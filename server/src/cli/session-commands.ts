import type { Session } from '../db/database';
import { listSessions } from '../whatsapp/store/session-repository';
import { parseCommandLine, write, type CliCommand } from './args';
import { withDatabase } from './gateway-database';
import { formatTable } from './table';
import { findUserByRef } from './user-commands';

const LIST = 'sessions list';
const PAGE = 500;

interface SessionLine {
  sessionId: string;
  name: string | null;
  userId: string;
  userEmail: string;
  status: string;
  phoneNumber: string | null;
  isActive: boolean;
  lastSeen: Date | null;
  createdAt: Date;
}

export const sessionsList: CliCommand = {
  name: LIST,
  summary: 'list WhatsApp sessions with their stored status (a table, or --json)',
  help: `Usage: baileys-api sessions list [--user EMAIL|ID] [--json]

Lists WhatsApp sessions, newest first, with the status last written to the database (a running
gateway writes it at most every SESSION_STATUS_MIN_INTERVAL_MS).

Options:
  --user EMAIL|ID   only this user's sessions
  --json            a JSON array instead of a table
  -h, --help        this help`,
  async run(args) {
    const { values } = parseCommandLine(
      LIST,
      args,
      { user: { type: 'string' }, json: { type: 'boolean', default: false } },
      { min: 0, max: 0 },
    );
    const lines = await withDatabase(async (db) => {
      const owner = values.user === undefined ? undefined : await findUserByRef(db, values.user);
      const sessions: Session[] = [];
      for (let page = await listSessions(db, { userId: owner?.id }, PAGE); ;) {
        sessions.push(...page);
        const last = page[page.length - 1];
        if (page.length < PAGE || !last) break;
        page = await listSessions(db, { userId: owner?.id }, PAGE, last);
      }
      const userIds = [...new Set(sessions.map((s) => s.userId))];
      const users = userIds.length === 0 ? [] : await db.selectFrom('User').select(['id', 'email']).where('id', 'in', userIds).execute();
      const emails = new Map(users.map((u) => [u.id, u.email]));
      return sessions.map((s): SessionLine => ({
        sessionId: s.sessionId,
        name: s.name,
        userId: s.userId,
        userEmail: emails.get(s.userId) ?? '',
        status: s.status,
        phoneNumber: s.phoneNumber,
        isActive: Boolean(s.isActive),
        lastSeen: s.lastSeen,
        createdAt: s.createdAt,
      }));
    });
    if (values.json) return write(process.stdout, `${JSON.stringify(lines, null, 2)}\n`);
    if (lines.length === 0) return write(process.stdout, 'No sessions.\n');
    const rows = lines.map((s) => [
      s.sessionId,
      s.name ?? '',
      s.userEmail,
      s.status,
      s.phoneNumber ?? '',
      s.isActive ? 'yes' : 'no',
      s.lastSeen?.toISOString() ?? '',
      s.createdAt.toISOString(),
    ]);
    await write(process.stdout, formatTable(['SESSION', 'NAME', 'USER', 'STATUS', 'PHONE', 'ACTIVE', 'LAST SEEN', 'CREATED'], rows));
  },
};
