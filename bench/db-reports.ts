// The report queries of `npm run bench:db` (issue 21): figures for the bench's seeded companies, then each report
// function timed as an agent through RLS over a 90-day range holding all of the company's conversations (the
// worst case: 10,000 of the 100,000). Budget: p95 ≤ 100 ms each. Plans via auto_explain (nested statements).
// report_conversations is the CSV export's query: a keyset page of 1,000 rows (the export reads page after page).
import type pg from 'pg';
import { percentile, round } from './support.ts';

export const REPORT_BUDGET_MS = 100;
const REPORTS = ['report_conversations_per_day', 'report_response_times', 'report_csat', 'report_csat_score', 'report_busy_hours', 'report_agents', 'report_conversations'];

/**
 * Spreads the conversations' starts over 90 days and gives them timings, assignees and ratings like a real team's:
 * 4 in 5 answered within 30 minutes, the resolved quarter rated one in two. As supabase_admin, triggers off (bulk seed).
 */
export async function seedReportData(admin: pg.Client, companies: string[], agents: string[]): Promise<void> {
  const db = admin;
  await db.query('begin');
  await db.query(`set local session_replication_role = replica`);
  await db.query(
    `with n as (select id, company_id, status, row_number() over (order by id) n from public.conversations where company_id = any($1::uuid[]))
     update public.conversations c set created_at = now() - (n.n * 77 || ' seconds')::interval,
            assignee_id = case when n.n % 3 <> 0 then ($2::uuid[])[array_position($1::uuid[], n.company_id)] end
       from n where c.id = n.id`,
    [companies, agents],
  );
  await db.query(
    `insert into public.conversation_timings as t (conversation_id, company_id, started_at, first_visitor_message_at, first_response_at, first_responder_id, resolved_at, assignee_id)
     select c.id, c.company_id, c.created_at, c.created_at + (n % 30 || ' seconds')::interval,
            case when n % 5 <> 0 then c.created_at + ((n % 30) + 20 + (n * 7919) % 1800 || ' seconds')::interval end,
            case when n % 5 <> 0 then ($2::uuid[])[array_position($1::uuid[], c.company_id)] end,
            case when c.status = 'resolved' then c.created_at + ((n * 104729) % 86400 + 60 || ' seconds')::interval end, c.assignee_id
       from (select *, row_number() over (order by id) n from public.conversations where company_id = any($1::uuid[])) c
     on conflict (conversation_id) do update set started_at = excluded.started_at, first_visitor_message_at = excluded.first_visitor_message_at,
       first_response_at = excluded.first_response_at, first_responder_id = excluded.first_responder_id, resolved_at = excluded.resolved_at,
       assignee_id = excluded.assignee_id`,
    [companies, agents],
  );
  await db.query(
    `insert into public.conversation_ratings (conversation_id, company_id, visitor_id, scale, score)
     select c.id, c.company_id, c.visitor_id, 'five', 1 + (n % 5)
       from (select *, row_number() over (order by id) n from public.conversations where company_id = any($1::uuid[]) and status = 'resolved') c
      where n % 2 = 0
     on conflict (conversation_id) do nothing`,
    [companies],
  );
  await db.query('commit');
  await db.query('vacuum analyze public.conversation_timings');
  await db.query('vacuum analyze public.conversation_ratings');
  await db.query('analyze public.conversations');
}

export interface ReportTiming {
  p50: number;
  p95: number;
  rows: number;
  plan: string;
}

/**
 * Each report function, `runs` times after 10 warm-up runs, as `agent` of `company` (role and claims as PostgREST
 * sets them), then once more on `admin` (a superuser: auto_explain must be loaded) for the plans.
 */
export async function timeReports(db: pg.Client, admin: pg.Client, company: string, agent: string, runs: number): Promise<Record<string, ReportTiming>> {
  const claims = JSON.stringify({ sub: agent, role: 'authenticated' });
  const to = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 89 * 86_400_000).toISOString().slice(0, 10);
  const asAgent = (c = db) => c.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [claims]);
  const out: Record<string, ReportTiming> = {};
  for (const fn of REPORTS) {
    const sql = `select * from public.${fn}($1, $2, $3, 'UTC')`;
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < runs + 10; i++) {
      await db.query('begin');
      await asAgent();
      const start = performance.now();
      const r = await db.query(sql, [company, from, to]);
      const ms = performance.now() - start;
      await db.query('commit');
      rows = r.rowCount ?? 0;
      if (i >= 10) times.push(ms);
    }
    const notices: string[] = [];
    const onNotice = (n: { message?: string }) => notices.push(n.message ?? '');
    await admin.query('begin');
    await admin.query(`load 'auto_explain'`);
    await admin.query(`set local auto_explain.log_min_duration = 0; set local auto_explain.log_nested_statements = on; set local auto_explain.log_analyze = on; set local auto_explain.log_level = notice`);
    await asAgent(admin);
    admin.on('notice', onNotice);
    await admin.query(sql, [company, from, to]);
    admin.off('notice', onNotice);
    await admin.query('rollback');
    out[fn] = { p50: round(percentile(times, 50), 3), p95: round(percentile(times, 95), 3), rows, plan: notices.filter((n) => n.includes('conversation_timings')).join('\n') };
  }
  return out;
}
