import type { ComponentType } from 'preact';
import type { User } from './api';
import { activityPage } from './pages/activity';
import { chatPage } from './pages/chat';
import { sessionPage } from './pages/session';
import { sessionsPage } from './pages/sessions';
import { usersPage } from './pages/users';
import { webhookPage } from './pages/webhook';
import { webhooksPage } from './pages/webhooks';

export interface PageProps {
  /** The route's `:name` parts, decoded. */
  params: Record<string, string>;
  user: User;
}

export interface DashboardPage {
  /** Hash route without `#/`, with `:name` parts: `sessions/:sessionId`. */
  path: string;
  component: ComponentType<PageProps>;
  /** Shown in the navigation bar under this label; pages without one are reached by links. */
  nav?: string;
  /** Only for ADMINs: hidden from others' navigation, and "not found" for them. */
  adminOnly?: boolean;
}

/**
 * Every page of the dashboard: a new page is a file in pages/ and a line here. The first is the home page.
 * Pages run under the gateway's CSP (server/src/dashboard): classes from public/assets/app.css and
 * Preact's `style` prop (set through the CSSOM) work; inline <style>/<script> and `setAttribute('style')` are blocked.
 */
export const pages: DashboardPage[] = [sessionsPage, sessionPage, chatPage, webhooksPage, webhookPage, activityPage, usersPage];
