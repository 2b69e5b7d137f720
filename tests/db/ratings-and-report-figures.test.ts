// CSAT ratings and the report functions in the database: who may read or write a rating (every actor), one
// rating per conversation, only for the conversation's own visitor once resolved, and the figures the report
// functions compute from timings the triggers keep (checked against numbers worked out here by hand).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { ACTORS, type Actor, attempt, becomeActor, createWorld, type World } from './fixtures.ts';

let c: pg.Client;
let w: World;
const key = (company: string) => `pk_test_${company.replace(/-/g, '').slice(0, 20)}`;
const ORIGIN = 'http://127.0.0.1:3001';

async function rate(user: string, conversation: string, score: number, comment: string | null = null) {
  return c.query('select public.widget_rate_conversation($1, $2, $3, $4, $5, $6) r', [key(w.companyX), ORIGIN, user, conversation, score, comment]);
}

async function refusal(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'none', (e: { code?: string }) => e.code ?? 'unknown');
}

beforeAll(async () => {
  c = await db();
  w = await createWorld(c);
  await c.query(`update public.widget_configs set allowed_origins = array[$2] where company_id = $1`, [w.companyX, ORIGIN]);
  await c.query(`update public.conversations set status = 'resolved' where id = $1`, [w.convA]);
  await rate(w.users.visitorA, w.convA, 4, 'quick');
}, 60_000);

afterAll(async () => {
  await c.end();
});

describe('conversation ratings', () => {
  it('are read by their visitor and the company, by nobody else', async () => {
    const expected: Record<Actor, number | 'error'> = { anon: 'error', visitorA: 1, visitorB: 0, agentX: 1, adminX: 1, agentY: 0, service: 1 };
    for (const actor of ACTORS) {
      const got = await attempt(c, w, actor, 'select', 'select count(*)::int n from public.conversation_ratings where conversation_id = $1', [w.convA]);
      expect([actor, got]).toEqual([actor, expected[actor]]);
    }
  });

  it('are written by no API role directly', async () => {
    const unchanged = async () => (await c.query('select score from public.conversation_ratings where conversation_id = $1', [w.convA])).rows[0].score === 4;
    for (const actor of ACTORS.filter((a) => a !== 'service')) {
      const ins = await attempt(c, w, actor, 'write',
        `insert into public.conversation_ratings (conversation_id, company_id, visitor_id, scale, score) values ($1, $2, $3, 'five', 1)`, [w.convB, w.companyX, w.visitorB]);
      const upd = await attempt(c, w, actor, 'write', 'update public.conversation_ratings set score = 1 where conversation_id = $1', [w.convA], unchanged);
      const del = await attempt(c, w, actor, 'write', 'delete from public.conversation_ratings where conversation_id = $1', [w.convA], unchanged);
      expect([actor, ins, upd, del]).toEqual([actor, 'error', 'error', 'error']);
      const call = await attempt(c, w, actor, 'write', `select public.widget_rate_conversation($1, $2, $3, $4, 5, null)`, [key(w.companyX), ORIGIN, w.users[actor as 'visitorA'] ?? w.users.visitorA, w.convA]);
      expect([actor, call]).toEqual([actor, 'error']);
    }
  });

  it('only the conversation\'s visitor rates, only once resolved, on the scale; a second submit replaces the first', async () => {
    expect(await refusal(rate(w.users.visitorB, w.convA, 5))).toBe('PLC04');
    expect(await refusal(rate(w.users.visitorB, w.convB, 5))).toBe('PLQ09'); // B's own conversation is still open
    expect(await refusal(rate(w.users.visitorA, w.convA, 6))).toBe('PLQ22');
    expect(await refusal(c.query('select public.widget_rate_conversation($1, $2, $3, $4, 5, null)', [key(w.companyX), 'https://evil.example', w.users.visitorA, w.convA]))).toBe('PLW04');
    const again = (await rate(w.users.visitorA, w.convA, 2, '  ')).rows[0].r;
    expect([again.score, again.comment]).toEqual([2, null]);
    const rows = (await c.query('select score from public.conversation_ratings where conversation_id = $1', [w.convA])).rows;
    expect(rows).toEqual([{ score: 2 }]);
    await c.query(`update public.companies set rating_scale = 'thumbs' where id = $1`, [w.companyX]);
    expect(await refusal(rate(w.users.visitorA, w.convA, 2))).toBe('PLQ22');
    expect((await rate(w.users.visitorA, w.convA, 1)).rows[0].r).toMatchObject({ scale: 'thumbs', score: 1 });
    await c.query(`update public.companies set rating_scale = 'five' where id = $1`, [w.companyX]);
    await rate(w.users.visitorA, w.convA, 4, 'quick');
  });

  it('agents and admins may not change the rating scale of another company', async () => {
    const unchanged = async () => (await c.query('select rating_scale from public.companies where id = $1', [w.companyX])).rows[0].rating_scale === 'five';
    expect(await attempt(c, w, 'agentY', 'write', `update public.companies set rating_scale = 'thumbs' where id = $1`, [w.companyX], unchanged)).toBe('none');
    expect(await attempt(c, w, 'agentX', 'write', `update public.companies set rating_scale = 'thumbs' where id = $1`, [w.companyX], unchanged)).toBe('none');
    expect(await attempt(c, w, 'adminX', 'write', `update public.companies set rating_scale = 'thumbs' where id = $1`, [w.companyX])).toBe('ok');
  });
});

describe('report functions', () => {
  async function asActor<T>(actor: Actor, sql: string, params: unknown[]): Promise<T[]> {
    await c.query('begin');
    try {
      await becomeActor(c, w, actor);
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.query('rollback');
    }
  }

  it('compute the timings the triggers keep, and give other companies nothing', async () => {
    // convA: visitor asked, agent answered (first response), resolved. Shift its times to known values.
    const base = '2026-11-30T10:00:00Z';
    await c.query(
      `update public.conversation_timings set started_at = $2::timestamptz, first_visitor_message_at = $2::timestamptz + interval '10 seconds',
         first_response_at = $2::timestamptz + interval '70 seconds', resolved_at = $2::timestamptz + interval '1 hour' where conversation_id = $1`,
      [w.convA, base],
    );
    await c.query(`update public.conversation_timings set started_at = $2::timestamptz + interval '1 day' where conversation_id = $1`, [w.convB, base]);
    const timings = (await c.query('select first_responder_id, first_response_at is not null as answered from public.conversation_timings where conversation_id = $1', [w.convB])).rows[0];
    expect(timings).toEqual({ first_responder_id: null, answered: false }); // B was never answered
    const args = [w.companyX, '2026-11-30', '2026-12-01', 'UTC'];
    const times = await asActor<Record<string, number>>('agentX', 'select * from public.report_response_times($1, $2, $3, $4)', args);
    expect(times[0]).toEqual({ conversations: 2, answered: 1, first_response_median_seconds: 60, first_response_p90_seconds: 60, resolved: 1, resolution_median_seconds: 3600 });
    const days = await asActor('adminX', 'select day::text, conversations, resolved from public.report_conversations_per_day($1, $2, $3, $4)', args);
    expect(days).toEqual([{ day: '2026-11-30', conversations: 1, resolved: 1 }, { day: '2026-12-01', conversations: 1, resolved: 0 }]);
    const hours = await asActor('agentX', 'select * from public.report_busy_hours($1, $2, $3, $4)', [w.companyX, '2026-11-30', '2026-12-01', 'Europe/Berlin']);
    expect(hours).toEqual([{ weekday: 1, hour: 11, conversations: 1 }, { weekday: 2, hour: 11, conversations: 1 }]);
    const csat = await asActor('agentX', 'select * from public.report_csat_score($1, $2, $3, $4)', args);
    expect(csat).toEqual([{ ratings: 1, satisfied: 1, score_percent: '100.0' }]);
    const agents = await asActor<Record<string, unknown>>('agentX', 'select display_name, first_responses, first_response_median_seconds from public.report_agents($1, $2, $3, $4)', args);
    expect(agents).toContainEqual({ display_name: 'Agent X', first_responses: 1, first_response_median_seconds: 60 });
    for (const actor of ['agentY', 'visitorA'] as const) {
      expect(await asActor(actor, 'select * from public.report_conversations($1, $2, $3, $4)', args)).toEqual([]);
      expect((await asActor<{ conversations: number }>(actor, 'select * from public.report_response_times($1, $2, $3, $4)', args))[0]!.conversations).toBe(0);
      expect(await asActor(actor, 'select * from public.report_agents($1, $2, $3, $4)', args)).toEqual([]);
    }
    expect(await refusal(asActor('anon', 'select * from public.report_busy_hours($1, $2, $3, $4)', args))).toBe('42501');
  });

  it('keep only the conversations that carry the chosen label', async () => {
    const label = (await c.query(`insert into public.labels (company_id, name, color) values ($1, 'Billing', '#112233') returning id`, [w.companyX])).rows[0].id;
    await c.query('insert into public.conversation_labels (conversation_id, label_id) values ($1, $2)', [w.convA, label]);
    const args = [w.companyX, '2026-11-30', '2026-12-01', 'UTC', label];
    const times = await asActor<Record<string, number>>('agentX', 'select conversations, answered from public.report_response_times($1, $2, $3, $4, $5)', args);
    expect(times[0]).toEqual({ conversations: 1, answered: 1 });
    const rows = await asActor<{ id: string }>('adminX', 'select id from public.report_conversations($1, $2, $3, $4, $5)', args);
    expect(rows.map((r) => r.id)).toEqual([w.convA]);
    const days = await asActor<{ conversations: number }>('agentX', 'select conversations from public.report_conversations_per_day($1, $2, $3, $4, $5)', args);
    expect(days.map((d) => d.conversations)).toEqual([1, 0]);
    expect((await asActor<{ ratings: number }>('agentX', 'select ratings from public.report_csat_score($1, $2, $3, $4, $5)', args))[0]!.ratings).toBe(1);
    expect((await asActor<{ conversations: number }>('agentY', 'select conversations from public.report_response_times($1, $2, $3, $4, $5)', args))[0]!.conversations).toBe(0);
  });

  it('do not count a private note as the first response', async () => {
    // messages.is_private comes with the notes migration of another part of issue 21; added here for the length of
    // one rolled-back transaction (the trigger reads it through to_jsonb, so it works with or without it).
    await c.query('begin');
    try {
      await c.query('alter table public.messages add column if not exists is_private boolean not null default false');
      await c.query(`insert into public.messages (conversation_id, sender_kind, author_id, body, is_private) values ($1, 'agent', $2, 'a note', true)`, [w.convB, w.users.agentX]);
      const noted = (await c.query('select first_response_at from public.conversation_timings where conversation_id = $1', [w.convB])).rows[0];
      expect(noted.first_response_at).toBeNull();
      await c.query(`insert into public.messages (conversation_id, sender_kind, author_id, body) values ($1, 'agent', $2, 'a reply')`, [w.convB, w.users.agentX]);
      const answered = (await c.query('select first_response_at from public.conversation_timings where conversation_id = $1', [w.convB])).rows[0];
      expect(answered.first_response_at).not.toBeNull();
    } finally {
      await c.query('rollback');
    }
  });

  it('stamp resolved_at on resolve, keep it through a reassignment, and clear it when a visitor message reopens', async () => {
    await c.query(`update public.conversations set status = 'resolved' where id = $1`, [w.convB]);
    const at = async () => (await c.query('select resolved_at from public.conversation_timings where conversation_id = $1', [w.convB])).rows[0].resolved_at;
    const resolvedAt = await at();
    expect(resolvedAt).not.toBeNull();
    await c.query('update public.conversations set assignee_id = $2 where id = $1', [w.convB, w.users.agentX]);
    const row = (await c.query('select assignee_id, resolved_at from public.conversation_timings where conversation_id = $1', [w.convB])).rows[0];
    expect(row).toEqual({ assignee_id: w.users.agentX, resolved_at: resolvedAt });
    await c.query(`insert into public.messages (conversation_id, sender_kind, author_id, body) values ($1, 'visitor', $2, 'one more thing')`, [w.convB, w.users.visitorB]);
    expect(await at()).toBeNull();
  });
});
