// Reports (every member of the company): conversations per day, response and resolution times, CSAT, busy hours
// and a per-agent table for a date range and label, all computed in SQL (ADR 0016); CSV export of the conversations.
import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { Form, useLoaderData } from '@remix-run/react';
import { duration, percent } from '../../models/reports.ts';
import { AgentTable } from './AgentTable.tsx';
import { BusyHours } from './BusyHours.tsx';
import { ConversationsPerDay, CsatDistribution } from './Charts.tsx';
import { RatingScaleForm } from './RatingScaleForm.tsx';
import type { loader } from './reports.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './reports.server.ts';

export const meta: MetaFunction = () => [{ title: 'Reports · Porchlight' }];
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: '/reports.css' }];

function Stat({ id, label, value, note }: { id: string; label: string; value: string; note?: string }) {
  return (
    <div className="stat card" data-testid={`stat-${id}`}>
      <dt>{label}</dt>
      <dd>
        <span className="stat-value">{value}</span>
        {note ? <span className="muted"> {note}</span> : null}
      </dd>
    </div>
  );
}

export default function Reports() {
  const { query, timeZone, report, scale, labels, isAdmin } = useLoaderData<typeof loader>();
  const { times, score } = report;
  const csv = `/reports.csv?${new URLSearchParams({ from: query.from, to: query.to, ...(query.label ? { label: query.label } : {}) })}`;
  const label = labels.find((l) => l.id === query.label);
  return (
    <main className="page reports" aria-labelledby="reports-title">
      <h1 id="reports-title">Reports</h1>
      <Form method="get" className="report-filter" aria-label="Date range">
        <label>
          From
          <input type="date" name="from" defaultValue={query.from} required />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={query.to} required />
        </label>
        <label>
          Label
          <select name="label" defaultValue={query.label ?? ''}>
            <option value="">All conversations</option>
            {labels.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Show
        </button>
        <a href={csv} download>
          Download CSV
        </a>
      </Form>
      <p className="muted">
        Conversations started from {query.from} to {query.to} ({timeZone}){label ? `, labelled ${label.name}` : ''}.
      </p>
      <dl className="stats">
        <Stat id="conversations" label="Conversations" value={String(times.conversations)} />
        <Stat id="first-response-median" label="First response, median" value={duration(times.first_response_median_seconds)} note={`${times.answered} answered`} />
        <Stat id="first-response-p90" label="First response, 90th percentile" value={duration(times.first_response_p90_seconds)} />
        <Stat id="resolution-median" label="Resolution, median" value={duration(times.resolution_median_seconds)} note={`${times.resolved} resolved`} />
        <Stat id="csat" label="CSAT" value={percent(score.score_percent)} note={`${score.ratings} ratings`} />
      </dl>
      <ConversationsPerDay days={report.days} />
      <div className="report-row">
        <CsatDistribution csat={report.csat} scale={scale} />
        <BusyHours hours={report.hours} timeZone={timeZone} />
      </div>
      <AgentTable agents={report.agents} />
      {isAdmin ? <RatingScaleForm scale={scale} /> : null}
    </main>
  );
}
