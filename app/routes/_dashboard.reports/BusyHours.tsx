// The busy-hours heatmap: conversations started per weekday and hour, as a real table (headers for both axes,
// the count in every cell), shaded by how busy each hour is. Text colour switches so each cell keeps 4.5:1.
import type { HourCell } from '../../models/reports.server.ts';
import { WEEKDAYS } from '../../models/reports.ts';

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const SHADES = ['#ffffff', '#dbeafe', '#93c5fd', '#3b82f6', '#1d4ed8', '#1e3a8a'];

export function BusyHours({ hours, timeZone }: { hours: HourCell[]; timeZone: string }) {
  const max = Math.max(0, ...hours.map((h) => h.conversations));
  const count = (weekday: number, hour: number) => hours.find((h) => h.weekday === weekday && h.hour === hour)?.conversations ?? 0;
  const shade = (n: number) => (n === 0 || max === 0 ? 0 : Math.max(1, Math.ceil((n / max) * (SHADES.length - 1))));
  return (
    <figure className="card report-figure" aria-labelledby="hours-title" data-testid="busy-hours">
      <figcaption id="hours-title">Busy hours ({timeZone})</figcaption>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1) */}
      <section className="chart-scroll" tabIndex={0} aria-labelledby="hours-title">
        <table className="heatmap">
          <caption className="sr-only">Conversations started by weekday and hour of day, {timeZone}</caption>
          <thead>
            <tr>
              <td />
              {HOURS.map((h) => (
                <th key={h} scope="col" abbr={`${h}:00`}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {WEEKDAYS.map((day, i) => (
              <tr key={day}>
                <th scope="row" abbr={day}>
                  {day.slice(0, 3)}
                </th>
                {HOURS.map((h) => {
                  const n = count(i + 1, h);
                  const s = shade(n);
                  return (
                    <td key={h} style={{ background: SHADES[s], color: s >= 3 ? '#fff' : '#1f2430' }} data-cell={`${i + 1}-${h}`}>
                      {n}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </figure>
  );
}
