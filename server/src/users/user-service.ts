import { generateApiKey } from '../auth/api-keys';
import { MAX_PASSWORD_BYTES, passwordProblem, type PasswordHasher } from '../auth/passwords';
import { toPrincipal, type Principal } from '../auth/principal';
import type { LoginThrottle } from '../auth/login-throttle';
import type { PrincipalCache } from '../auth/principal-cache';
import type { LoginTokens } from '../auth/tokens';
import type { Db, Queryable, Role, UserUpdate } from '../db/database';
import { isDuplicateKey } from '../db/errors';
import { badRequest, conflict, HttpError, notFound, unauthorized } from '../http/errors';
import * as users from './user-repository';

export interface NewAccount {
  email: string;
  password: string;
  name?: string | null;
  role?: Role;
}

export interface AccountChanges {
  name?: string | null;
  password?: string;
  role?: Role;
  isActive?: boolean;
}

/** What happens to a user's WhatsApp sessions when the user is disabled, enabled again or deleted. */
export interface UserSessions {
  stopUser(userId: string): Promise<void>;
  resumeUser(userId: string): Promise<number>;
  logoutUser(userId: string): Promise<void>;
}

/** Too many failed password attempts on one account; `retryAfterSeconds` goes into Retry-After. */
export class LoginThrottledError extends HttpError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, `Too many failed password attempts for this account; retry in ${retryAfterSeconds} seconds`);
  }
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Accounts, credentials and the rules around them (unique emails, at least one active admin). */
export class UserService {
  constructor(
    private readonly db: Db,
    private readonly hasher: PasswordHasher,
    private readonly tokens: LoginTokens,
    private readonly cache: PrincipalCache,
    private readonly sessions?: UserSessions,
    private readonly throttle?: LoginThrottle,
  ) {}

  async create(account: NewAccount): Promise<{ user: Principal; apiKey: string }> {
    const problem = passwordProblem(account.password);
    if (problem) throw badRequest(problem);
    const apiKey = generateApiKey();
    try {
      const user = await users.insertUser(this.db, {
        email: normalizeEmail(account.email),
        name: account.name ?? null,
        password: await this.hasher.hash(account.password),
        apiKey: apiKey.hash,
        role: account.role ?? 'USER',
      });
      return { user: toPrincipal(user), apiKey: apiKey.key };
    } catch (error) {
      if (isDuplicateKey(error)) throw conflict('A user with this email already exists');
      throw error;
    }
  }

  async login(email: string, password: string) {
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw badRequest(`password must be at most ${MAX_PASSWORD_BYTES} bytes`);
    const account = normalizeEmail(email);
    this.countAttempt(account);
    const user = await users.findUserByEmail(this.db, account);
    const valid = await this.hasher.verify(password, user?.password);
    if (!user || !valid || !user.isActive) throw unauthorized('Invalid email or password');
    this.throttle?.succeeded(account);
    return { ...this.tokens.issue(user.id, await users.tokenVersionOf(this.db, user.id)), user: toPrincipal(user) };
  }

  async get(id: string): Promise<Principal> {
    const user = await users.findUserById(this.db, id);
    if (!user) throw notFound('User not found');
    return toPrincipal(user);
  }

  list(query: users.UserPageQuery) {
    return users.listUsers(this.db, query).then((rows) => rows.map(toPrincipal));
  }

  async update(id: string, changes: AccountChanges): Promise<Principal> {
    const update: UserUpdate = {};
    if (changes.name !== undefined) update.name = changes.name;
    if (changes.role !== undefined) update.role = changes.role;
    if (changes.isActive !== undefined) update.isActive = changes.isActive;
    if (changes.password !== undefined) {
      const problem = passwordProblem(changes.password);
      if (problem) throw badRequest(problem);
      update.password = await this.hasher.hash(changes.password);
    }
    const demotes = changes.role === 'USER' || changes.isActive === false;
    // A new password or a deactivation ends every login token issued before it.
    const endsTokens = changes.password !== undefined || changes.isActive === false;
    const { before, user } = await this.db.transaction().execute(async (trx) => {
      const current = await users.findUserById(trx, id);
      if (!current) throw notFound('User not found');
      if (demotes && current.role === 'ADMIN') await this.keepAnAdmin(trx, id);
      if (endsTokens) await users.raiseTokenVersion(trx, id);
      return { before: current, user: (await users.updateUser(trx, id, update))! };
    });
    this.cache.forgetUser(id);
    // A disabled user's WhatsApp sessions go offline (credentials kept); enabling them again reconnects them.
    if (changes.isActive === false) await this.sessions?.stopUser(id);
    else if (changes.isActive === true && !before.isActive) await this.sessions?.resumeUser(id);
    return toPrincipal(user);
  }

  async remove(id: string): Promise<void> {
    // Checked first so a refused delete touches no session; checked again, with locks, when deleting.
    await this.db.transaction().execute(async (trx) => {
      const current = await users.findUserById(trx, id);
      if (!current) throw notFound('User not found');
      if (current.role === 'ADMIN') await this.keepAnAdmin(trx, id);
    });
    // Unlink the user's devices from WhatsApp before their rows (and credentials) are gone.
    await this.sessions?.logoutUser(id);
    await this.db.transaction().execute(async (trx) => {
      const current = await users.findUserById(trx, id);
      if (!current) throw notFound('User not found');
      if (current.role === 'ADMIN') await this.keepAnAdmin(trx, id);
      await users.deleteUser(trx, id);
    });
    this.cache.forgetUser(id);
  }

  /** The caller's own change: a new password needs the current one. */
  async updateOwn(id: string, changes: { name?: string | null; password?: string; currentPassword?: string }): Promise<Principal> {
    const { currentPassword, ...rest } = changes;
    if (rest.password !== undefined) await this.confirmPassword(id, currentPassword, 'to change the password');
    else if (currentPassword !== undefined) throw badRequest('currentPassword is only taken together with password');
    return this.update(id, rest);
  }

  /**
   * Throws 400 without a current password and 401 with a wrong one. Wrong answers count against the
   * account like failed logins would, so this is no way around the login throttle.
   */
  async confirmPassword(id: string, currentPassword: string | undefined, purpose: string): Promise<void> {
    if (currentPassword === undefined) throw badRequest(`currentPassword is required ${purpose}`);
    if (Buffer.byteLength(currentPassword, 'utf8') > MAX_PASSWORD_BYTES) throw unauthorized('Current password is incorrect');
    const user = await users.findUserById(this.db, id);
    if (!user) throw notFound('User not found');
    this.countAttempt(user.email);
    if (!(await this.hasher.verify(currentPassword, user.password))) throw unauthorized('Current password is incorrect');
    this.throttle?.succeeded(user.email);
  }

  /** Refuses (429, unchecked) a password attempt on an account that used up its failures for the window. */
  private countAttempt(account: string): void {
    const retryAfter = this.throttle?.attempt(account) ?? 0;
    if (retryAfter > 0) throw new LoginThrottledError(retryAfter);
  }

  async rotateApiKey(id: string): Promise<string> {
    const apiKey = generateApiKey();
    const user = await users.updateUser(this.db, id, { apiKey: apiKey.hash });
    if (!user) throw notFound('User not found');
    this.cache.forgetUser(id);
    return apiKey.key;
  }

  /** Refuses a change that would leave no active admin; locks the admin rows it counts. */
  private async keepAnAdmin(trx: Queryable, exceptId: string): Promise<void> {
    const others = await trx
      .selectFrom('User')
      .select('id')
      .where('role', '=', 'ADMIN')
      .where('isActive', '=', true)
      .where('id', '!=', exceptId)
      .forUpdate()
      .execute();
    if (others.length === 0) throw conflict('This is the last active admin; promote another user first');
  }
}
