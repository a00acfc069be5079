import { useState } from 'preact/hooks';
import { api, seg, type Page } from '../api';
import { usePoll, useAction } from '../hooks';
import type { DashboardPage, PageProps } from '../pages';
import { SecretOnce } from '../secret-once';
import { Table } from '../table';
import { ErrorNote, Field, formatTime, PageTitle } from '../ui';

interface Account {
  id: string;
  email: string;
  name: string | null;
  role: 'USER' | 'ADMIN';
  isActive: boolean;
  createdAt: string;
}

interface NewKey {
  email: string;
  apiKey: string;
}

function UsersPage({ user: me }: PageProps) {
  const users = usePoll(() => api<Page<Account>>('GET', '/users?limit=200'), 10_000, []);
  const [newKey, setNewKey] = useState<NewKey>();
  const showKey = (key: NewKey) => {
    setNewKey(key);
    users.reload();
  };
  return (
    <>
      <PageTitle>Users</PageTitle>
      <ErrorNote message={users.error?.message} />
      {newKey && <SecretOnce label={`API key of ${newKey.email}.`} value={newKey.apiKey} onDismiss={() => setNewKey(undefined)} />}
      {!users.data ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <Table caption="Users" columns={['Email', 'Name', 'Role', 'State', 'Created']} name="users" stacked actions>
          {users.data.data.map((account) => (
            <UserRow key={account.id} account={account} isMe={account.id === me.id} onChange={users.reload} onNewKey={showKey} />
          ))}
        </Table>
      )}
      {users.data?.nextCursor && <p class="meta">Showing the first 200 users.</p>}
      <CreateUser onCreated={showKey} />
    </>
  );
}

function UserRow({
  account,
  isMe,
  onChange,
  onNewKey,
}: {
  account: Account;
  isMe: boolean;
  onChange: () => void;
  onNewKey: (key: NewKey) => void;
}) {
  const { busy, error, run } = useAction();
  const setActive = async () => {
    if (account.isActive && !confirm(`Disable ${account.email}? Their key stops working and their WhatsApp sessions close.`)) return;
    if (await run(() => api('PATCH', seg`/users/${account.id}`, { isActive: !account.isActive }))) onChange();
  };
  const rotate = async () => {
    if (!confirm(`Give ${account.email} a new API key? The old one stops working at once.`)) return;
    await run(async () => {
      const { apiKey } = await api<{ apiKey: string }>('POST', seg`/users/${account.id}/api-key`);
      onNewKey({ email: account.email, apiKey });
    });
  };
  return (
    <tr>
      <th scope="row">
        {account.email}
        {isMe && <span class="meta"> (you)</span>}
      </th>
      <td data-label="Name">{account.name ?? '—'}</td>
      <td data-label="Role">{account.role.toLowerCase()}</td>
      <td data-label="State">
        <span class={`status ${account.isActive ? 'status-connected' : 'status-error'}`}>{account.isActive ? 'Active' : 'Disabled'}</span>
      </td>
      <td data-label="Created">{formatTime(account.createdAt)}</td>
      <td>
        <div class="row-actions">
          {!isMe && (
            <button
              type="button"
              class="secondary small"
              disabled={busy}
              onClick={setActive}
              aria-label={`${account.isActive ? 'Disable' : 'Enable'} ${account.email}`}
            >
              {account.isActive ? 'Disable' : 'Enable'}
            </button>
          )}
          <button
            type="button"
            class="secondary small"
            disabled={busy}
            onClick={rotate}
            aria-label={`Rotate the API key of ${account.email}`}
          >
            Rotate key
          </button>
        </div>
        <ErrorNote message={error} />
      </td>
    </tr>
  );
}

function CreateUser({ onCreated }: { onCreated: (key: NewKey) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<'USER' | 'ADMIN'>('USER');
  const { busy, error, run } = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    const body = { email: email.trim(), password, name: name.trim() || undefined, role };
    let created: { user: Account; apiKey: string } | undefined;
    if (await run(async () => (created = await api('POST', '/users', body)))) {
      setEmail('');
      setPassword('');
      setName('');
      onCreated({ email: created!.user.email, apiKey: created!.apiKey });
    }
  };

  return (
    <section aria-labelledby="create-user">
      <h2 id="create-user">New user</h2>
      <form class="card" onSubmit={submit}>
        <Field
          label="Email"
          name="email"
          type="email"
          required
          autocomplete="off"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          required
          minLength={8}
          autocomplete="new-password"
          hint="For signing in to this dashboard; at least 8 characters."
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <Field label="Name (optional)" name="name" maxLength={255} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <div class="field">
          <label for="user-role">Role</label>
          <select id="user-role" value={role} onChange={(e) => setRole(e.currentTarget.value as 'USER' | 'ADMIN')}>
            <option value="USER">User: their own sessions and webhooks</option>
            <option value="ADMIN">Admin: everything, and users</option>
          </select>
        </div>
        <ErrorNote message={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create user'}
        </button>
      </form>
    </section>
  );
}

export const usersPage: DashboardPage = { path: 'users', nav: 'Users', adminOnly: true, component: UsersPage };
