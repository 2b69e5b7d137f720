// RLS of the email follow-up tables and doors from each role: agents and admins read their company's email
// states, nobody else reads them; nobody but the service role writes them, reads the carried-replies or
// redemptions, or calls the job's and the continuity RPCs.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { ACTORS, type Actor, attempt, createWorld, signalsSince, type World } from './fixtures.ts';

let admin: pg.Client;
let w: World;
let emailId: string;

beforeAll(async () => {
  admin = await db();
  w = await createWorld(admin);
  const reply = (await admin.query(`select id from public.messages where conversation_id = $1 and sender_kind = 'agent'`, [w.convA])).rows[0].id;
  emailId = (await admin.query(`insert into public.visitor_emails (company_id, conversation_id, kind, to_email, next_attempt_at) values ($1, $2, 'follow_up', 'a@example.com', 'infinity') returning id`, [w.companyX, w.convA])).rows[0].id;
  await admin.query('insert into public.visitor_email_messages (email_id, message_id) values ($1, $2)', [emailId, reply]);
});
afterAll(async () => {
  await admin.end();
});

const expectAll = async (fn: (a: Actor) => Promise<unknown>, expected: Record<Actor, unknown>) => {
  const got: Record<string, unknown> = {};
  for (const a of ACTORS) got[a] = await fn(a);
  expect(got).toEqual(expected);
};

describe('visitor email tables', () => {
  it("lets a company's agents and admins read its email states, nobody else", async () => {
    await expectAll((a) => attempt(admin, w, a, 'select', 'select count(*)::int as n from public.visitor_emails where id = $1', [emailId]), {
      anon: 'error', visitorA: 0, visitorB: 0, agentX: 1, adminX: 1, agentY: 0, service: 1,
    });
  });

  it('refuses every write but the service role, and hides carried replies and redemptions', async () => {
    const unchanged = async () => (await admin.query(`select status from public.visitor_emails where id = $1`, [emailId])).rows[0].status === 'queued';
    await expectAll((a) => attempt(admin, w, a, 'write', `update public.visitor_emails set status = 'sent' where id = $1`, [emailId], unchanged), {
      anon: 'error', visitorA: 'error', visitorB: 'error', agentX: 'error', adminX: 'error', agentY: 'error', service: 'ok',
    });
    await expectAll((a) => attempt(admin, w, a, 'write', `insert into public.visitor_emails (company_id, conversation_id, kind, to_email) values ($1, $2, 'transcript', 'x@example.com')`, [w.companyX, w.convA]), {
      anon: 'error', visitorA: 'error', visitorB: 'error', agentX: 'error', adminX: 'error', agentY: 'error', service: 'ok',
    });
    for (const table of ['visitor_email_messages', 'continuity_redemptions']) {
      await expectAll((a) => attempt(admin, w, a, 'select', `select count(*)::int as n from public.${table}`, []).then((n) => (typeof n === 'number' ? 'read' : n)), {
        anon: 'error', visitorA: 'error', visitorB: 'error', agentX: 'error', adminX: 'error', agentY: 'error', service: 'read',
      });
    }
  });

  it("lets only the company's admins change its follow-up minutes and Reply-To", async () => {
    const unchanged = async () => (await admin.query('select follow_up_minutes from public.companies where id = $1', [w.companyX])).rows[0].follow_up_minutes === 5;
    await expectAll((a) => attempt(admin, w, a, 'write', `update public.companies set follow_up_minutes = 9, email_reply_to = 'r@x.test' where id = $1`, [w.companyX], unchanged), {
      anon: 'error', visitorA: 'none', visitorB: 'none', agentX: 'none', adminX: 'ok', agentY: 'none', service: 'ok',
    });
  });

  it("refuses the job's and the continuity RPCs to every API role but the service role", async () => {
    const calls = [
      [`select public.email_job_claim('x')`, []],
      [`select public.email_job_result('x', $1, true)`, [emailId]],
      [`select public.widget_resume('pk_x', 'http://x', $1, 'x')`, [w.users.visitorA]],
      [`select public.widget_request_transcript('pk_x', 'http://x', $1, $2)`, [w.users.visitorA, w.convA]],
    ] as const;
    for (const [sql, params] of calls) {
      for (const a of ['anon', 'visitorA', 'agentX', 'adminX'] as const) expect(await attempt(admin, w, a, 'write', sql, [...params])).toBe('error');
    }
  });
});

describe('email signals on the company topic', () => {
  it('announce an email queued, sent or failed with a new reason to its company only, and not a lease', async () => {
    const since = (await admin.query('select clock_timestamp() as t')).rows[0].t as Date;
    const id = (await admin.query(`insert into public.visitor_emails (company_id, conversation_id, kind, to_email, next_attempt_at) values ($1, $2, 'transcript', 'a@example.com', 'infinity') returning id`, [w.companyX, w.convA])).rows[0].id;
    await admin.query(`update public.visitor_emails set attempts = attempts + 1, next_attempt_at = now() + interval '2 minutes' where id = $1`, [id]);
    await admin.query(`update public.visitor_emails set last_error = 'mail API down' where id = $1`, [id]);
    await admin.query(`update public.visitor_emails set status = 'sent', sent_at = now() where id = $1`, [id]);
    const rows = await signalsSince(admin, since, w.companyX, 'visitor_email.changed', 'email_id', id);
    const signal = (status: string) => ({ company_topic: true, payload: { id: expect.any(String), email_id: id, conversation_id: w.convA, status } });
    expect(rows).toEqual([signal('queued'), signal('queued'), signal('sent')]);
  });
});
