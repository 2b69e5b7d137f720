// The per-agent table: conversations assigned (started in the range), resolved, first responses and their
// median, ratings and CSAT of the assigned ones.
import type { AgentRow } from '../../models/reports.server.ts';
import { duration, percent } from '../../models/reports.ts';

export function AgentTable({ agents }: { agents: AgentRow[] }) {
  return (
    <section className="card" aria-labelledby="agents-title">
      <h2 id="agents-title">By agent</h2>
      <table className="report-table" data-testid="agent-table">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Assigned</th>
            <th scope="col">Resolved</th>
            <th scope="col">First responses</th>
            <th scope="col">Median first response</th>
            <th scope="col">Ratings</th>
            <th scope="col">CSAT</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.agent_id} data-agent={a.display_name}>
              <th scope="row">{a.display_name}</th>
              <td>{a.assigned}</td>
              <td>{a.resolved}</td>
              <td>{a.first_responses}</td>
              <td>{duration(a.first_response_median_seconds)}</td>
              <td>{a.ratings}</td>
              <td>{percent(a.csat_percent)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
