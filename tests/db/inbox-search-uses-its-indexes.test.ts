// Inbox search's budget on a deterministic figure: the plans the search function's query gets (auto_explain,
// nested statements), run as an agent through RLS. Rare words read the word index, common words the company's
// newest messages, name and email fragments the trigram index; none reads a whole table (timings: bench:db).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { claimsFor, createWorld, type World } from './fixtures.ts';

let c: pg.Client;
let admin: pg.Client;
let w: World;
const rare = `rare${randomUUID().slice(0, 6).replace(/[0-9]/g, 'x')}`;

beforeAll(async () => {
  c = await db();
  admin = await db('supabase_admin'); // loading auto_explain takes the superuser
  w = await createWorld(c);
  // 20,000 visitors with conversations and 40,000 messages: "common" in every message, the rare word in ten.
  await c.query(`insert into auth.users (id, aud, role, is_anonymous) select gen_random_uuid(), 'authenticated', 'authenticated', true from generate_series(1, 20000)`);
  await c.query(
    `insert into public.visitors (company_id, user_id, name, email)
     select $1, u.id, 'Person ' || n, 'person' || n || '@mail' || (n % 50) || '.example'
     from (select id, row_number() over () n from auth.users u where u.is_anonymous and not exists (select 1 from public.visitors v where v.user_id = u.id) limit 20000) u`,
    [w.companyX],
  );
  await c.query(`insert into public.conversations (company_id, visitor_id) select company_id, id from public.visitors where company_id = $1`, [w.companyX]);
  await c.query('begin');
  await c.query('alter table public.messages disable trigger messages_after_insert');
  await c.query(
    `insert into public.messages (conversation_id, company_id, sender_kind, body, created_at)
     select c.id, $1, 'visitor', 'common words ' || case when g % 4000 = 0 then $2 else 'filler' || (g % 997) end, now() - (g || ' seconds')::interval
     from (select id, row_number() over () n from public.conversations where company_id = $1) c cross join generate_series(1, 2) k
     cross join lateral (select c.n * 2 + k as g) gg`,
    [w.companyX, rare],
  );
  await c.query('alter table public.messages enable trigger messages_after_insert');
  await c.query('commit');
  // Vacuum merges the word index's pending list (autovacuum does it in production), as the planner then expects.
  for (const t of ['conversations', 'messages', 'visitors', 'company_members']) await c.query(`vacuum analyze public.${t}`);
}, 180_000);

afterAll(async () => {
  await c.end();
  await admin.end();
});

/** The plans of the statements one search ran, as agent X through RLS, in a rolled-back transaction. */
async function searchPlans(query: string): Promise<string> {
  const plans: string[] = [];
  const onNotice = (n: { message?: string }) => {
    if (n.message?.startsWith('duration:')) plans.push(n.message);
  };
  await admin.query('begin');
  try {
    await admin.query(`load 'auto_explain'`);
    await admin.query(`set local auto_explain.log_min_duration = 0; set local auto_explain.log_nested_statements = on; set local auto_explain.log_analyze = on; set local auto_explain.log_timing = off; set local auto_explain.log_level = notice`);
    const { role, claims } = claimsFor(w, 'agentX');
    await admin.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [role, JSON.stringify(claims)]);
    admin.on('notice', onNotice);
    await admin.query('select * from public.search_conversations($1, $2)', [w.companyX, query]);
  } finally {
    admin.off('notice', onNotice);
    await admin.query('rollback');
  }
  // Every statement the search ran: the message steps (ADR 0020) and the final query.
  expect(plans.some((p) => p.includes('message_hits'))).toBe(true);
  return plans.join('\n---\n');
}

/** No scan of a whole table ran (a branch the query skipped, "never executed", costs nothing). */
function expectNoFullScan(plan: string) {
  const ran = plan.split('\n').filter((line) => !line.includes('never executed'));
  expect(ran.filter((line) => /Seq Scan on (messages|visitors)/.test(line)), plan).toEqual([]);
}

describe('inbox search plans through RLS', () => {
  it('finds a rare word through the word index', async () => {
    const plan = await searchPlans(rare);
    expect(plan).toMatch(/Bitmap Index Scan on messages_search_idx/);
    expectNoFullScan(plan);
  });

  it('finds a word in every message by reading the newest messages, not every match', async () => {
    const plan = await searchPlans('common');
    expect(plan).toMatch(/Index Scan using messages_company_created_idx on messages/);
    expectNoFullScan(plan);
  });

  it('answers a word nobody wrote from the word index', async () => {
    const plan = await searchPlans('zzyzxnomatch');
    expect(plan).toMatch(/Bitmap Index Scan on messages_search_idx/);
    expectNoFullScan(plan);
  });

  it('finds an email fragment through the trigram index', async () => {
    const plan = await searchPlans('person1234@mail');
    expect(plan).toMatch(/Bitmap Index Scan on visitors_search_trgm_idx/);
    expectNoFullScan(plan);
  });
});
