// The reports' charts (recharts, rendered on the server and hydrated): each a figure with a caption, the SVG's
// title and description, and the same numbers as a table for screen readers and for reading exact values.
import { Bar, BarChart, CartesianGrid, Legend, XAxis, YAxis } from 'recharts';
import type { CsatRow, DayRow } from '../../models/reports.server.ts';
import { scoreLabel } from '../../models/reports.ts';

const BLUE = '#1d4ed8';
const GREEN = '#15803d';

function DataTable({ caption, head, rows }: { caption: string; head: string[]; rows: (string | number)[][] }) {
  return (
    <details>
      <summary>Show the numbers</summary>
      <table className="report-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={String(r[0])}>
              {head.map((h, i) =>
                i === 0 ? (
                  <th key={h} scope="row">
                    {r[i]}
                  </th>
                ) : (
                  <td key={h}>{r[i]}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function ConversationsPerDay({ days }: { days: DayRow[] }) {
  const total = days.reduce((n, d) => n + d.conversations, 0);
  const busiest = days.reduce<DayRow | null>((b, d) => (!b || d.conversations > b.conversations ? d : b), null);
  const desc = `${total} conversations over ${days.length} days${busiest?.conversations ? `; the busiest day was ${busiest.day} with ${busiest.conversations}` : ''}.`;
  return (
    <figure className="card report-figure" aria-labelledby="per-day-title" data-testid="chart-per-day">
      <figcaption id="per-day-title">Conversations per day</figcaption>
      <p className="muted">{desc}</p>
      <div className="chart">
        <BarChart id="per-day" width={720} height={240} data={days} title="Conversations per day" desc={desc} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" vertical={false} />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} stroke="#4b5563" fontSize={12} />
          <YAxis allowDecimals={false} stroke="#4b5563" fontSize={12} width={36} />
          <Legend />
          <Bar dataKey="conversations" name="Started" fill={BLUE} isAnimationActive={false} />
          <Bar dataKey="resolved" name="Resolved now" fill={GREEN} isAnimationActive={false} />
        </BarChart>
      </div>
      <DataTable caption="Conversations per day" head={['Day', 'Started', 'Resolved now']} rows={days.map((d) => [d.day, d.conversations, d.resolved])} />
    </figure>
  );
}

/** Every score of the scales in use (zeros included), from the distribution's non-empty rows. */
export function distribution(csat: CsatRow[], companyScale: 'five' | 'thumbs') {
  const scales = [...new Set([companyScale, ...csat.map((r) => r.scale)])];
  return scales.flatMap((scale) =>
    (scale === 'five' ? [1, 2, 3, 4, 5] : [0, 1]).map((score) => ({
      label: scoreLabel(scale, score),
      ratings: csat.find((r) => r.scale === scale && r.score === score)?.ratings ?? 0,
    })),
  );
}

export function CsatDistribution({ csat, scale }: { csat: CsatRow[]; scale: 'five' | 'thumbs' }) {
  const data = distribution(csat, scale);
  const desc = data.map((d) => `${d.label}: ${d.ratings}`).join(', ');
  return (
    <figure className="card report-figure" aria-labelledby="csat-title" data-testid="chart-csat">
      <figcaption id="csat-title">Ratings</figcaption>
      <p className="muted">{desc}</p>
      <div className="chart">
        <BarChart id="csat" width={420} height={220} data={data} title="Ratings by score" desc={desc} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" vertical={false} />
          <XAxis dataKey="label" stroke="#4b5563" fontSize={12} />
          <YAxis allowDecimals={false} stroke="#4b5563" fontSize={12} width={36} />
          <Bar dataKey="ratings" name="Ratings" fill={BLUE} isAnimationActive={false} />
        </BarChart>
      </div>
      <DataTable caption="Ratings by score" head={['Score', 'Ratings']} rows={data.map((d) => [d.label, d.ratings])} />
    </figure>
  );
}
