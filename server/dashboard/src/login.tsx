import { useState } from 'preact/hooks';
import { auth, type User } from './api';
import { useAction } from './hooks';
import { ErrorNote, Field, PageTitle } from './ui';

export function Login({ onSignedIn }: { onSignedIn: (user: User) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => onSignedIn(await auth.signIn(email.trim(), password)));
  };

  return (
    <main id="main" class="login">
      <PageTitle>Sign in to the WhatsApp gateway</PageTitle>
      <form onSubmit={submit} class="card">
        <Field
          label="Email"
          name="email"
          type="email"
          autocomplete="username"
          required
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <ErrorNote message={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
