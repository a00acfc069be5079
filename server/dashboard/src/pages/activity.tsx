import { useState } from 'preact/hooks';
import { api } from '../api';
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

function ActivityPage({ user }: PageProps) {
  const [scope, setScope] = useState<'me' | 'everyone'>('me');
  const path = scope === 'me' ? `/me/activity?hours=${HOURS}` : `/activity?hours=${HOURS}`;
  const activity = usePoll(() => api<Activity>('GET', path), 60_000, [path]);
  const buckets = activity.data?.buckets;

  return (
    <>
      <PageTitle>Activity, last {HOURS} hours</PageTitle>
      {user.role === 'ADMIN' && (
        <div class="field inline">
          <label for="activity-scope">Whose activity</label>
          <select id="activity-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as 'me' | 'everyone')}>
            <option value="me">Mine</option>
            <option value="everyone">Every user</option>
          </select>
        </div>
      )}
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

export const activityPage: DashboardPage = { path: 'activity', nav: 'Activity', component: ActivityPage };
