// npm run bench:db — 100,000 conversations and 1,000,000 messages for 10 companies, then the inbox (first page
// and a deep keyset page) and a conversation's latest 50 messages, timed as an agent through RLS.
// Budget (issue 4): each under 10 ms at p95 on this machine. Plans are printed. Then the report queries
// (issue 21, bench/db-reports.ts): each under 100 ms at p95; then search (db-search.ts, issue 24).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { addMember, createAuthUser, createCompany } from '../tests/support/factories.ts';
import { REPORT_BUDGET_MS, seedReportData, timeReports } from './db-reports.ts';
import { dropSearchIndexes, searchBench } from './db-search.ts';
import { insertAnonymousUsers, percentile, report, round, startStackProcess, withoutBroadcasts } from './support.ts';

const COMPANIES = 10;
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);

async function main() {
  const stack = await startStackProcess();
  const db = new pg.Client({ connectionString: stack.dbUrl });
  await db.connect();
  await dropSearchIndexes(db); // built once after seeding (db-search.ts): bulk builds beat a million index inserts
  const t0 = Date.now();
  const companies: string[] = [];
  const agents: string[] = [];
  for (let n = 1; n <= COMPANIES; n++) {
    const { companyId } = await createCompany(db, { name: `Bench ${n}`, widget: false });
    const id = randomUUID();
    const agent = await createAuthUser(db, { id, email: `bench-${id}@example.com` });
    await addMember(db, companyId, agent, 'agent', 'Agent');
    companies.push(companyId);
    agents.push(agent);
  }
  await withoutBroadcasts(db, async () => {
    await insertAnonymousUsers(db, CONVERSATIONS);
    await db.query(
      `insert into public.visitors (company_id, user_id, name, email)
       select ($1::uuid[])[1 + (row_number() over () - 1) % $2], u.id, 'Visitor ' || row_number() over (), null
       from auth.users u where u.is_anonymous and u.email is null and not exists (select 1 from public.visitors v where v.user_id = u.id)`,
      [companies, COMPANIES],
    );
    await db.query(
      `insert into public.conversations (company_id, visitor_id, status, last_message_at, last_message_preview, unread_count)
       select v.company_id, v.id, (array['open','open','pending','resolved'])[1 + (row_number() over ()) % 4]::public.conversation_status,
              now() - ((row_number() over ()) || ' seconds')::interval, 'Preview', (row_number() over ()) % 3
       from public.visitors v where v.company_id = any($1::uuid[])`,
      [companies],
    );
    await db.query(
      `insert into public.messages (conversation_id, company_id, sender_kind, body, created_at)
       select c.id, c.company_id, 'visitor', 'Message ' || g, c.last_message_at - (g || ' seconds')::interval
       from (select id, company_id, last_message_at, row_number() over () as n from public.conversations where company_id = any($1::uuid[])) c
       cross join generate_series(1, $2::int) g`,
      [companies, Math.round(MESSAGES / CONVERSATIONS)],
    );
  });
  await db.query('vacuum analyze public.conversations');
  await db.query('vacuum analyze public.messages');
  await db.query('analyze public.company_members; analyze public.visitors');
  const seedSeconds = (Date.now() - t0) / 1000;
  const counts = (await db.query('select (select count(*) from public.conversations)::int as c, (select count(*) from public.messages)::int as m')).rows[0];

  const company = companies[0]!;
  const agent = agents[0]!;
  // The deep page starts 4,000 rows in (160 pages of 25), or halfway down a smaller data set's inbox.
  const open = (await db.query(`select count(*)::int as n from public.conversations where company_id = $1 and status = 'open'`, [company])).rows[0].n as number;
  const deepOffset = Math.min(4000, Math.floor(open / 2));
  const deep = (await db.query(
    `select last_message_at, id from public.conversations where company_id = $1 and status = 'open' order by last_message_at desc, id desc offset $2 limit 1`,
    [company, deepOffset],
  )).rows[0];
  const busy = (await db.query(`select id from public.conversations where company_id = $1 order by last_message_at desc limit 1`, [company])).rows[0].id;
  // One long conversation (2,000 messages), so "latest 50" really pages.
  await withoutBroadcasts(db, () =>
    db.query(
      `insert into public.messages (conversation_id, company_id, sender_kind, body, created_at)
       select $1, $2, 'visitor', 'Long ' || g, now() - (g || ' seconds')::interval from generate_series(1, 2000) g`,
      [busy, company],
    ),
  );
  await db.query('analyze public.messages');
  // Labels (issue 21): 5 per company, one on every conversation (a label holds a fifth of a company's inbox).
  await db.query('alter table public.conversation_labels disable trigger conversation_labels_after_change');
  await withoutBroadcasts(db, async () => {
    await db.query(`insert into public.labels (company_id, name, color) select c, 'L' || g, '#1d4ed8' from unnest($1::uuid[]) c cross join generate_series(0, 4) g`, [companies]);
    await db.query(`insert into public.conversation_labels (conversation_id, label_id)
      select c.id, l.id from (select id, company_id, row_number() over (partition by company_id order by id) % 5 as k from public.conversations) c
      join public.labels l on l.company_id = c.company_id and l.name = 'L' || c.k`);
  });
  await db.query('alter table public.conversation_labels enable trigger conversation_labels_after_change');
  await db.query('analyze public.labels; analyze public.conversation_labels');
  const label = (await db.query(`select id from public.labels where company_id = $1 and name = 'L1'`, [company])).rows[0].id;

  const queries: Record<string, { sql: string; params: unknown[] }> = {
    'inbox first page': {
      sql: `select id, visitor_id, platform, status, assignee_id, last_message_at, last_message_preview, unread_count from public.conversations
            where company_id = $1 and status = 'open' order by last_message_at desc, id desc limit 25`,
      params: [company],
    },
    'inbox deep keyset page': {
      sql: `select id, visitor_id, platform, status, assignee_id, last_message_at, last_message_preview, unread_count from public.conversations
            where company_id = $1 and status = 'open' and (last_message_at, id) < ($2, $3) order by last_message_at desc, id desc limit 25`,
      params: [company, deep.last_message_at, deep.id],
    },
    // The shape of the inbox's conversation_labels!inner() filter (app/models/conversations.server.ts).
    'inbox filtered by a label': {
      sql: `select id, visitor_id, platform, status, assignee_id, last_message_at, last_message_preview, unread_count from public.conversations t0
            where company_id = $1 and status = 'open' and exists (select 1 from public.conversation_labels t1 where t1.conversation_id = t0.id and t1.label_id = $2)
            order by last_message_at desc, id desc limit 25`,
      params: [company, label],
    },
    'latest 50 messages': {
      sql: `select id, sender_kind, author_name, body, created_at from public.messages where conversation_id = $1 order by created_at desc, id desc limit 50`,
      params: [busy],
    },
  };
  const claims = JSON.stringify({ sub: agent, role: 'authenticated' });
  const results: Record<string, { p50: number; p95: number; rows: number; plan: string }> = {};
  for (const [name, q] of Object.entries(queries)) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < RUNS + 20; i++) {
      await db.query('begin');
      await db.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [claims]);
      const start = performance.now();
      const r = await db.query(q.sql, q.params);
      const ms = performance.now() - start;
      await db.query('commit');
      rows = r.rowCount ?? 0;
      if (i >= 20) times.push(ms); // the first runs warm the cache
    }
    await db.query('begin');
    await db.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [claims]);
    const plan = (await db.query(`explain (analyze, buffers off, costs off) ${q.sql}`, q.params)).rows.map((r) => r['QUERY PLAN']).join('\n');
    await db.query('rollback');
    results[name] = { p50: round(percentile(times, 50), 3), p95: round(percentile(times, 95), 3), rows, plan };
  }
  for (const [name, r] of Object.entries(results)) console.log(`\n-- plan: ${name}\n${r.plan}`);
  const admin = new pg.Client({ connectionString: stack.dbUrl.replace('//postgres:', '//supabase_admin:') });
  await admin.connect();
  await seedReportData(admin, companies, agents);
  const reports = await timeReports(db, admin, company, agent, Math.min(RUNS, 100));
  await admin.end();
  for (const [name, r] of Object.entries(reports)) console.log(`\n-- plan: ${name}\n${r.plan}`);
  report('db', { conversations: counts.c, messages: counts.m, companies: COMPANIES, runs: RUNS, seedSeconds: round(seedSeconds, 1), queries: results, budgetP95Ms: 10, reports, reportBudgetP95Ms: REPORT_BUDGET_MS }, [
    ['conversations / messages', `${counts.c} / ${counts.m}`, `seeded in ${round(seedSeconds, 1)} s`],
    ...Object.entries(results).flatMap(([name, r]): [string, string | number, string][] => [
      [`${name} p50 (ms)`, r.p50, `${r.rows} rows, as an agent through RLS${name.includes('deep') ? `, after row ${deepOffset}` : ''}`],
      [`${name} p95 (ms)`, r.p95, `budget < 10: ${r.p95 < 10 ? 'met' : 'MISSED'}`],
    ]),
    ...Object.entries(reports).flatMap(([name, r]): [string, string | number, string][] => [
      [`${name} p50 (ms)`, r.p50, `${r.rows} rows, 90 days of one company (10% of all), as an agent through RLS`],
      [`${name} p95 (ms)`, r.p95, `budget ≤ ${REPORT_BUDGET_MS}: ${r.p95 <= REPORT_BUDGET_MS ? 'met' : 'MISSED'}`],
    ]),
  ]);
  if (process.env.BENCH_SEARCH !== '0') {
    const search = await searchBench(db);
    report('db-search', search.data, search.table);
  }
  await db.end();
  await stack.stop();
}

await main();
