// Budgets checked on a deterministic figure: the query plans. The inbox page and a conversation's latest
// messages, run as an agent through RLS, must use their indexes (timings live in `npm run bench:db`).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompany } from '../support/factories.ts';
import { db } from '../support/stack.ts';
import { becomeActor, createWorld, type World } from './fixtures.ts';

let c: pg.Client;
let w: World;
let busy: string;

beforeAll(async () => {
  c = await db();
  w = await createWorld(c);
  // Enough rows for the planner to prefer indexes: 20,000 conversations over 4 companies, 20,000 messages.
  const companies = [w.companyX, randomUUID(), randomUUID(), randomUUID()];
  for (const id of companies.slice(1)) await createCompany(c, { id, name: 'Filler', widget: false });
  await c.query(
    `insert into public.visitors (company_id, user_id)
     select ($1::uuid[])[1 + (g % 4)], $2 from generate_series(1, 4) g on conflict do nothing`,
    [companies, w.users.visitorA],
  );
  await c.query(
    `insert into public.conversations (company_id, visitor_id, status, last_message_at)
     select v.company_id, v.id, (array['open','pending','resolved'])[1 + g % 3]::public.conversation_status, now() - (g || ' seconds')::interval
     from generate_series(1, 5000) g cross join public.visitors v where v.user_id = $1`,
    [w.users.visitorA],
  );
  busy = (await c.query(`select id from public.conversations where company_id = $1 order by last_message_at desc limit 1`, [w.companyX])).rows[0].id;
  // In one transaction: other test files running meanwhile wait for the lock instead of inserting messages while
  // the trigger is off (which made their trigger tests fail now and then).
  await c.query('begin');
  await c.query('alter table public.messages disable trigger messages_after_insert');
  await c.query(
    `insert into public.messages (conversation_id, company_id, sender_kind, body, created_at)
     select case when g % 2 = 0 then $1 else c.id end, $2, 'visitor', 'm' || g, now() - (g || ' seconds')::interval
     from generate_series(1, 20000) g cross join lateral (select id from public.conversations where company_id = $2 offset (g % 500) limit 1) c`,
    [busy, w.companyX],
  );
  await c.query('alter table public.messages enable trigger messages_after_insert');
  await c.query('commit');
  await c.query('analyze public.conversations; analyze public.messages; analyze public.company_members; analyze public.visitors');
}, 120_000);

afterAll(async () => {
  await c.end();
});

async function planAs(sql: string, params: unknown[]): Promise<string> {
  await c.query('begin');
  try {
    await becomeActor(c, w, 'agentX');
    const { rows } = await c.query(`explain ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await c.query('rollback');
  }
}

/** Served in order by one of the inbox indexes: no sequential scan, no sort of the company's conversations. */
function expectInboxPlan(plan: string) {
  expect(plan).toMatch(/Index Scan using conversations_(inbox|company_activity)_idx on conversations/);
  expect(plan).not.toMatch(/Seq Scan on conversations/);
  expect(plan).not.toMatch(/\bSort\b/);
}

describe('query plans through RLS', () => {
  it('the inbox first page uses the inbox index, no sequential scan of conversations', async () => {
    const plan = await planAs(
      `select * from public.conversations where company_id = $1 and status = 'open' order by last_message_at desc, id desc limit 25`,
      [w.companyX],
    );
    expectInboxPlan(plan);
  });

  it('a deep keyset page of the inbox uses the inbox index', async () => {
    const plan = await planAs(
      `select * from public.conversations where company_id = $1 and status = 'open' and (last_message_at, id) < ($2, $3) order by last_message_at desc, id desc limit 25`,
      [w.companyX, new Date(Date.now() - 3_000_000).toISOString(), randomUUID()],
    );
    expectInboxPlan(plan);
  });

  it("a conversation's latest 50 messages use the messages index, no sequential scan of messages", async () => {
    const plan = await planAs(`select * from public.messages where conversation_id = $1 order by created_at desc, id desc limit 50`, [busy]);
    expect(plan).toContain('Index Scan using messages_conversation_created_idx on messages');
    expect(plan).not.toMatch(/Seq Scan on messages/);
    expect(plan).not.toMatch(/\bSort\b/);
  });

  it('the inbox filtered by a label walks an index of conversation_labels, no sequential scan of either table', async () => {
    // Ten labels of X on its 5,000 conversations and one per filler conversation (20,000 rows), rolled back after.
    await c.query('begin');
    try {
      await c.query(`insert into public.labels (company_id, name, color) select company_id, 'L' || g, '#123456'
        from (select distinct company_id from public.conversations) co cross join generate_series(0, 9) g`);
      await c.query(`insert into public.conversation_labels (conversation_id, label_id)
        select c.id, l.id from (select id, company_id, row_number() over (partition by company_id order by id) % 10 as k from public.conversations) c
        join public.labels l on l.company_id = c.company_id and l.name = 'L' || c.k`);
      await c.query('analyze public.labels; analyze public.conversation_labels');
      const label = (await c.query(`select id from public.labels where company_id = $1 and name = 'L3'`, [w.companyX])).rows[0].id;
      await becomeActor(c, w, 'agentX');
      // The shape of PostgREST's `conversation_labels!inner()` filter with `conversation_labels.label_id=eq.<id>`.
      const { rows } = await c.query(
        `explain select * from public.conversations t0 where company_id = $1 and status = 'open'
           and exists (select 1 from public.conversation_labels t1 where t1.conversation_id = t0.id and t1.label_id = $2)
         order by last_message_at desc, id desc limit 25`,
        [w.companyX, label],
      );
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index (Only )?Scan using conversation_labels_(pkey|label_idx) on conversation_labels|Bitmap Index Scan on conversation_labels_label_idx/);
      expect(plan).not.toMatch(/Seq Scan on (conversations|conversation_labels)/);
    } finally {
      await c.query('rollback');
    }
  });

  it('prunes rate-limit hits older than a day through the hit_at index, not a scan of the table', async () => {
    // A day of hits (two per message on a busy site) and a few older ones; the prune runs on about 1 % of calls.
    const admin = await db('supabase_admin');
    try {
      await admin.query('begin');
      await admin.query(
        `insert into public.widget_rate_limit_hits (bucket, hit_at)
         select 'plan:' || (g % 500), now() - (g % 80000 || ' seconds')::interval from generate_series(1, 200000) g`,
      );
      await admin.query(`insert into public.widget_rate_limit_hits (bucket, hit_at) select 'plan:old', now() - interval '25 hours' from generate_series(1, 200)`);
      await admin.query('analyze public.widget_rate_limit_hits');
      await admin.query(`load 'auto_explain'`);
      await admin.query(`set local auto_explain.log_min_duration = 0; set local auto_explain.log_nested_statements = on; set local auto_explain.log_level = notice`);
      const notices: string[] = [];
      const onNotice = (n: { message?: string }) => notices.push(n.message ?? '');
      admin.on('notice', onNotice);
      const pruned = () => notices.find((n) => /delete from public\.widget_rate_limit_hits/i.test(n));
      for (let i = 0; i < 3000 && !pruned(); i++) await admin.query(`select public.widget_rate_limit('plan:probe', 1000000, 60)`);
      admin.off('notice', onNotice);
      const plan = pruned();
      expect(plan).toBeDefined();
      expect(plan).toMatch(/Index Scan using widget_rate_limit_hits_hit_at_idx|Bitmap Index Scan on widget_rate_limit_hits_hit_at_idx/);
      expect(plan).not.toMatch(/Seq Scan on widget_rate_limit_hits/);
    } finally {
      await admin.query('rollback');
      await admin.end();
    }
  }, 60_000);
});
