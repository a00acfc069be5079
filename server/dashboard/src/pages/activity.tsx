import { useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { Chart } from '../charts';
import { usePoll } from '../hooks';
import type { DashboardPage, PageProps } from '../pages';
import { Table } from '../table';
import { ErrorNote, PageTitle } from '../ui';

interface Bucket {
  start: string;
  requests: number;
  messagesIn: number;
  messagesOut: number;
}

interface Activity {
  from: string;
  to: string;
  buckets: Bucket[];
}

const HOURS = 24;
const hourLabel = (start: string) => new Date(start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
/** Short, so the axis stays readable on a phone: "9 PM", "21". */
const axisLabel = (start: string) => new Date(start).toLocaleTimeString([], { hour: 'numeric' });
const sum = (buckets: Bucket[], pick: (b: Bucket) => number) => buckets.reduce((total, b) => total + pick(b), 0);

/** "busiest hour 14:00 (12)", or nothing when every hour is zero. */
function peak(buckets: Bucket[], pick: (b: Bucket) => number): string {
  const top = buckets.reduce<Bucket | undefined>((best, b) => (pick(b) > (best ? pick(best) : 0) ? b : best), undefined);
  return top ? `; busiest hour ${hourLabel(top.start)} (${pick(top)})` : '';
}

/** Whose activity: `me`, `everyone`, or a user's id (admins only). */
type Scope = string;

function activityPath(scope: Scope): string {
  if (scope === 'me') return `/me/activity?hours=${HOURS}`;
  return `/activity?hours=${HOURS}` + (scope === 'everyone' ? '' : `&userId=${encodeURIComponent(scope)}`);
}

function ActivityPage({ user }: PageProps) {
  const [scope, setScope] = useState<Scope>('me');
  const path = activityPath(scope);
  const activity = usePoll(() => api<Activity>('GET', path), 60_000, [path]);
  const buckets = activity.data?.buckets;

  return (
    <>
      <PageTitle>Activity, last {HOURS} hours</PageTitle>
      {user.role === 'ADMIN' && <ScopeSelect me={user.id} scope={scope} onChange={setScope} />}
      <ErrorNote message={activity.error?.message} />
      {!buckets ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          <ul class="totals">
            <li>
              <strong>{sum(buckets, (b) => b.requests)}</strong> API requests
            </li>
            <li>
              <strong>{sum(buckets, (b) => b.messagesIn)}</strong> messages received
            </li>
            <li>
              <strong>{sum(buckets, (b) => b.messagesOut)}</strong> messages sent
            </li>
          </ul>
          <Chart
            kind="bars"
            title="API requests per hour"
            summary={`${sum(buckets, (b) => b.requests)} requests in the last ${HOURS} hours${peak(buckets, (b) => b.requests)}.`}
            labels={buckets.map((b) => axisLabel(b.start))}
            series={[{ label: 'Requests', tone: 'chart-a', values: buckets.map((b) => b.requests) }]}
          />
          <Chart
            kind="lines"
            title="WhatsApp messages per hour"
            summary={
              `${sum(buckets, (b) => b.messagesIn)} received${peak(buckets, (b) => b.messagesIn)}, ` +
              `${sum(buckets, (b) => b.messagesOut)} sent${peak(buckets, (b) => b.messagesOut)}.`
            }
            labels={buckets.map((b) => axisLabel(b.start))}
            series={[
              { label: 'Received', tone: 'chart-a', values: buckets.map((b) => b.messagesIn) },
              { label: 'Sent', tone: 'chart-b', values: buckets.map((b) => b.messagesOut) },
            ]}
          />
          <details>
            <summary>The numbers as a table</summary>
            <Table caption="Activity per hour, oldest first" columns={['Hour', 'API requests', 'Messages received', 'Messages sent']}>
              {buckets.map((b) => (
                <tr key={b.start}>
                  <th scope="row">{hourLabel(b.start)}</th>
                  <td>{b.requests}</td>
                  <td>{b.messagesIn}</td>
                  <td>{b.messagesOut}</td>
                </tr>
              ))}
            </Table>
          </details>
        </>
      )}
    </>
  );
}

/** For admins: their own activity, everyone's, or one user's. */
function ScopeSelect({ me, scope, onChange }: { me: string; scope: Scope; onChange: (scope: Scope) => void }) {
  const users = usePoll(() => api<Page<{ id: string; email: string }>>('GET', '/users?limit=200'), 300_000, []);
  return (
    <div class="field inline">
      <label for="activity-scope">Whose activity</label>
      <select id="activity-scope" value={scope} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="me">Mine</option>
        <option value="everyone">Every user</option>
        {users.data?.data
          .filter((u) => u.id !== me)
          .map((u) => (
            <option key={u.id} value={u.id}>
              {u.email}
            </option>
          ))}
      </select>
    </div>
  );
}

export const activityPage: DashboardPage = { path: 'activity', nav: 'Activity', component: ActivityPage };
