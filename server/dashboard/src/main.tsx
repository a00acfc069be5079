import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { auth, type User } from './api';
import { Layout } from './layout';
import { Login } from './login';
import { pages } from './pages';
import { matchRoute, redirect, useCurrentPath } from './router';
import { PageTitle } from './ui';

function App() {
  const [user, setUser] = useState<User | null>(auth.user);
  const path = useCurrentPath();
  useEffect(() => auth.onSignOut(() => setUser(null)), []);

  if (!user) return <Login onSignedIn={setUser} />;

  const visible = pages.filter((page) => !page.adminOnly || user.role === 'ADMIN');
  if (path === '') {
    redirect(visible[0]!.path);
    return null;
  }
  for (const page of visible) {
    const params = matchRoute(page.path, path);
    if (params) {
      const Page = page.component;
      return (
        <Layout user={user} pages={pages} current={page}>
          <Page key={path} params={params} user={user} />
        </Layout>
      );
    }
  }
  return (
    <Layout user={user} pages={pages}>
      <PageTitle>Page not found</PageTitle>
      <p>
        There is no page at <code>#/{path}</code>.
      </p>
    </Layout>
  );
}

render(<App />, document.getElementById('app')!);
