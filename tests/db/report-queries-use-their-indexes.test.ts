// The report functions' plans, run as an agent through RLS: each reads the company's conversations of the range
// through conversation_timings_company_started_idx (never a scan of every company's rows). The functions are SQL
// with their own search_path, so their statements are planned inside them: auto_explain shows those plans.
// Timings live in `npm run bench:db`.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompany } from '../support/factories.ts';
import { db } from '../support/stack.ts';
import { claimsFor, createWorld, type World } from './fixtures.ts';

let c: pg.Client;
let w: World;

beforeAll(async () => {
  c = await db();
  w = await createWorld(c);
  // 24,000 conversations over 8 companies, started over 90 days; a quarter resolved, half of those rated.
  const companies = [w.companyX, ...Array.from({ length: 7 }, () => randomUUID())];
  for (const id of companies.slice(1)) await createCompany(c, { id, name: 'Report filler', widget: false });
  await c.query(
    `insert into public.visitors (company_id, user_id) select unnest($1::uuid[]), $2 on conflict do nothing`,
    [companies, w.users.visitorA],
  );
  await c.query(
    `insert into public.conversations (company_id, visitor_id, status, assignee_id, created_at, last_message_at)
     select v.company_id, v.id, (array['open','pending','resolved','resolved'])[1 + g % 4]::public.conversation_status,
            case when v.company_id = $2 and g % 2 = 0 then $3::uuid end, now() - (g * 324 || ' seconds')::interval, now() - (g * 324 || ' seconds')::interval
     from generate_series(1, 3000) g cross join public.visitors v where v.user_id = $1`,
    [w.users.visitorA, w.companyX, w.users.agentX],
  );
  await c.query(
    `update public.conversation_timings t set first_visitor_message_at = t.started_at + interval '5 seconds',
       first_response_at = t.started_at + interval '65 seconds', first_responder_id = $2,
       resolved_at = case when c.status = 'resolved' then t.started_at + interval '1 hour' end
     from public.conversations c where c.id = t.conversation_id and c.company_id = $1`,
    [w.companyX, w.users.agentX],
  );
  await c.query(
    `insert into public.conversation_ratings (conversation_id, company_id, visitor_id, scale, score)
     select c.id, c.company_id, c.visitor_id, 'five', 1 + n % 5
     from (select *, row_number() over (order by id) n from public.conversations where status = 'resolved') c where n % 2 = 0 on conflict do nothing`,
  );
  await c.query('analyze public.conversations; analyze public.conversation_timings; analyze public.conversation_ratings; analyze public.company_members; analyze public.visitors');
}, 120_000);

afterAll(async () => {
  await c.end();
});

/** The plans of the statements inside a report function called as agentX (auto_explain, nested statements). */
async function plansOf(fn: string, labelId: string | null = null): Promise<string> {
  const admin = await db('supabase_admin');
  const notices: string[] = [];
  try {
    await admin.query('begin');
    await admin.query(`load 'auto_explain'`);
    await admin.query(`set local auto_explain.log_min_duration = 0; set local auto_explain.log_nested_statements = on; set local auto_explain.log_level = notice`);
    const { role, claims } = claimsFor(w, 'agentX');
    await admin.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [role, JSON.stringify(claims)]);
    admin.on('notice', (n: { message?: string }) => notices.push(n.message ?? ''));
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const { rows } = await admin.query(`select * from public.${fn}($1, $2, $3, 'UTC', $4)`, [w.companyX, from, to, labelId]);
    expect(rows.length).toBeGreaterThan(0);
  } finally {
    await admin.query('rollback');
    await admin.end();
  }
  return notices.filter((n) => /conversation_timings/.test(n)).join('\n---\n');
}

const REPORTS = ['report_conversations_per_day', 'report_response_times', 'report_csat', 'report_busy_hours', 'report_agents', 'report_conversations'];

describe('report query plans through RLS', () => {
  it('a label filter reads conversation_labels by an index (its key or the label index), never all of it', async () => {
    const label = (await c.query(`insert into public.labels (company_id, name, color) values ($1, 'Plan', '#445566') returning id`, [w.companyX])).rows[0].id;
    await c.query(
      `insert into public.conversation_labels (conversation_id, label_id) select id, $2 from public.conversations where company_id = $1 and status = 'open'`,
      [w.companyX, label],
    );
    // Other companies label all their conversations: the table is big enough that reading all of it would show.
    await c.query(`insert into public.labels (company_id, name, color) select id, 'Filler', '#000000' from public.companies where name = 'Report filler'`);
    await c.query(
      `insert into public.conversation_labels (conversation_id, label_id)
       select cv.id, l.id from public.conversations cv join public.labels l on l.company_id = cv.company_id and l.name = 'Filler'`,
    );
    await c.query('analyze public.conversation_labels');
    const plan = await plansOf('report_response_times', label);
    expect(plan).toMatch(/conversation_timings_company_started_idx/);
    expect(plan).toMatch(/(Index|Index Only|Bitmap Index) Scan (using|on) conversation_labels_(pkey|label_idx)/);
    expect(plan).not.toMatch(/Seq Scan on conversation_(timings|labels)/);
  });

  for (const fn of REPORTS) {
    it(`${fn} reads the range through the timings index, no scan of every company's timings`, async () => {
      const plan = await plansOf(fn);
      expect(plan).toMatch(/(Index|Index Only|Bitmap Index) Scan (using|on) conversation_timings_company_started_idx/);
      expect(plan).not.toMatch(/Seq Scan on conversation_timings/);
      // The joins to conversations and ratings go by their keys, not by scanning them.
      expect(plan).not.toMatch(/Seq Scan on (conversations|conversation_ratings)\b/);
    });
  }
});
