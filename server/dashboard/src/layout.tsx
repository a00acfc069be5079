import type { ComponentChildren } from 'preact';
import { auth, type User } from './api';
import type { DashboardPage } from './pages';
import { pathHref } from './router';

/** Header with the navigation and the signed-in user, then the page. */
export function Layout({
  user,
  pages,
  current,
  children,
}: {
  user: User;
  pages: DashboardPage[];
  current?: DashboardPage;
  children: ComponentChildren;
}) {
  const nav = pages.filter((page) => page.nav && (!page.adminOnly || user.role === 'ADMIN'));
  return (
    <>
      <a class="skip" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={pathHref(pages[0]!.path)}>
          WhatsApp gateway
        </a>
        <nav aria-label="Main">
          <ul>
            {nav.map((page) => (
              <li key={page.path}>
                <a href={pathHref(page.path)} aria-current={page === current ? 'page' : undefined}>
                  {page.nav}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class="email" title={user.email}>
            {user.email}
          </span>
          <button type="button" class="secondary" onClick={() => auth.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">{children}</main>
    </>
  );
}

/** `#main` is not a route: move the focus without changing the hash. */
function skipToMain(event: Event) {
  event.preventDefault();
  const heading = document.querySelector<HTMLElement>('main h1');
  heading?.focus();
}
