// bench:dashboard's data set: the conversations and messages of the agent's company, written in bulk.
import pg from 'pg';
import { insertAnonymousUsers, round, withoutBroadcasts } from '../support.ts';
import { ACME, BIG_CONVERSATION_MESSAGES, CONVERSATIONS, MESSAGES_PER_CONVERSATION } from './config.ts';

export async function seed(dbUrl: string): Promise<{ seconds: number; messages: number }> {
  const t0 = Date.now();
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  await withoutBroadcasts(db, async () => {
    await insertAnonymousUsers(db, CONVERSATIONS);
    await db.query(
      `insert into public.visitors (company_id, user_id, name, email)
       select $1, u.id, 'Visitor ' || row_number() over (), 'visitor' || row_number() over () || '@example.com'
       from auth.users u where u.is_anonymous and not exists (select 1 from public.visitors v where v.user_id = u.id)`,
      [ACME],
    );
    // Newest first: conversation n had its last message n seconds ago (the seeded demo ones are older still).
    await db.query(
      `insert into public.conversations (company_id, visitor_id, status, last_message_at, last_message_preview, unread_count)
       select $1, v.id, (array['open','open','pending','resolved'])[1 + (n % 4)]::public.conversation_status,
              now() - (n || ' seconds')::interval, 'Message ${MESSAGES_PER_CONVERSATION}', n % 3
       from (select id, row_number() over () as n from public.visitors where company_id = $1 and name like 'Visitor %') v`,
      [ACME],
    );
    await db.query(
      `insert into public.messages (conversation_id, company_id, sender_kind, body, created_at)
       select c.id, c.company_id, 'visitor', 'Message ' || g, c.last_message_at - ((${MESSAGES_PER_CONVERSATION} - g) || ' seconds')::interval
       from public.conversations c cross join generate_series(1, $2::int) g
       where c.company_id = $1 and c.last_message_preview = 'Message ${MESSAGES_PER_CONVERSATION}'`,
      [ACME, MESSAGES_PER_CONVERSATION],
    );
    const { rows } = await db.query(`select id, last_message_at from public.conversations where company_id = $1 and status = 'open' order by last_message_at desc limit 1`, [ACME]);
    await db.query(
      `insert into public.messages (conversation_id, company_id, sender_kind, body, created_at)
       select $1, $2, case when g % 2 = 0 then 'agent' else 'visitor' end::public.message_sender_kind, 'Long thread ' || g,
              $3::timestamptz - ((${BIG_CONVERSATION_MESSAGES} - g) || ' seconds')::interval - interval '1 hour'
       from generate_series(1, ${BIG_CONVERSATION_MESSAGES}) g`,
      [rows[0].id, ACME, rows[0].last_message_at],
    );
  });
  await db.query('vacuum analyze public.conversations');
  await db.query('vacuum analyze public.messages');
  const count = await db.query('select count(*)::int as n from public.messages');
  await db.end();
  return { seconds: round((Date.now() - t0) / 1000, 1), messages: count.rows[0].n };
}
