// Email follow-up end to end on real parts (Postgres, the pg_cron/pg_net stand-in, real Deno, the mail catcher's
// Resend-compatible API over HTTP — the catcher is the test double for an email provider): exactly one email per
// batch of unseen replies, never a non-reply, never twice; retries after the API was down; a crash between send
// and mark doubles nothing; the continuity link opens the conversation once, and a forged, expired, reused or
// foreign token opens nothing and changes nothing. The clock is the job's p_now: no test sleeps.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createAuthUser, createCompany } from '../support/factories.ts';
import { runScheduledJob } from '../support/scheduled-job.ts';
import { client, db, stack } from '../support/stack.ts';

const ORIGIN = 'http://127.0.0.1:3001';
let admin: pg.Client;
const minutes = (base: Date, n: number) => new Date(base.getTime() + n * 60_000).toISOString();

async function visitorToken() {
  const { data, error } = await client().auth.signInAnonymously();
  if (error) throw error;
  return { token: data.session!.access_token, userId: data.user!.id };
}

async function call(fn: string, key: string, token: string, body: unknown) {
  const res = await fetch(`${stack().apiUrl}/functions/v1/${fn}?key=${key}`, {
    method: 'POST',
    headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, Origin: ORIGIN },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function mailsTo(to: string) {
  const res = await fetch(`${stack().mailUrl}/api/v1/messages?to=${encodeURIComponent(to)}`);
  const list = (await res.json()) as { messages: { ID: string }[] };
  return Promise.all(list.messages.map(async (m) => (await fetch(`${stack().mailUrl}/api/v1/message/${m.ID}`)).json()));
}

/**
 * One run of the scheduled job at `now` as pg_cron runs it. Its counts include other tests' emails on the shared
 * stack, so tests assert on their own conversation's rows and mails.
 */
const runJob = (now: string) => runScheduledJob(admin, 'private.run_email_job', now);

async function setChaos(code: number | null) {
  await fetch(`${stack().mailUrl}/api/v1/chaos`, { method: 'PUT', body: JSON.stringify(code ? { Sender: { ErrorCode: code, Probability: 100 } } : {}) });
}

/** A company, a visitor with an email who wrote from a page, and an agent. */
async function chat(email: string | null = `v-${randomUUID()}@example.com`) {
  const { companyId, widgetKey } = await createCompany(admin, { name: `Email Co ${randomUUID().slice(0, 6)}`, widget: { allowed_origins: [ORIGIN] } });
  await admin.query(`update public.companies set email_reply_to = 'help@emailco.test' where id = $1`, [companyId]);
  const visitor = await visitorToken();
  const started = await call('widget-session', widgetKey!, visitor.token, {
    email: email ?? undefined,
    firstMessage: { id: randomUUID(), body: 'Is anyone there?' },
    page: { url: `${ORIGIN}/pricing?plan=pro` },
  });
  expect(started.status).toBe(201);
  const agent = await createAuthUser(admin, { email: `agent-${randomUUID()}@example.com` });
  await addMember(admin, companyId, agent, 'agent', 'Ada');
  const reply = async (body: string, kind = 'agent') =>
    (await admin.query(`insert into public.messages (conversation_id, sender_kind, author_id, body) values ($1, $2, $3, $4) returning id, created_at`, [
      started.body.conversation.id,
      kind,
      kind === 'agent' ? agent : null,
      body,
    ])).rows[0] as { id: string; created_at: Date };
  return { companyId, widgetKey: widgetKey!, visitor, email, conversationId: started.body.conversation.id as string, reply };
}

beforeAll(async () => {
  admin = await db('supabase_admin');
  await admin.query('select private.set_email_job_url($1)', [`${stack().apiUrl}/functions/v1/email-follow-up`]);
});
afterAll(async () => {
  await setChaos(null);
  await admin.end();
});

describe('email follow-up', () => {
  it('emails the unseen replies once after N minutes, carries only replies, and a second run sends nothing', async () => {
    const c = await chat();
    const first = await c.reply('We are here! What do you need?');
    await c.reply('internal status line', 'system');
    await c.reply('Also: our pro plan has a trial.');
    const t0 = first.created_at;
    await runJob(minutes(t0, 4));
    expect(await mailsTo(c.email!)).toEqual([]);
    expect((await admin.query('select 1 from public.visitor_emails where conversation_id = $1', [c.conversationId])).rowCount).toBe(0);

    await runJob(minutes(t0, 6));
    const [mail, ...more] = await mailsTo(c.email!);
    expect(more).toEqual([]);
    expect(mail.Subject).toMatch(/^New reply from Email Co/);
    expect(mail.From).toMatchObject({ Name: expect.stringMatching(/^Email Co /), Address: 'support@porchlight.test' });
    expect(mail.ReplyTo.map((a: { Address: string }) => a.Address)).toEqual(['help@emailco.test']);
    expect(mail.Text).toContain('We are here! What do you need?');
    expect(mail.Text).toContain('Also: our pro plan has a trial.');
    expect(mail.Text).not.toContain('internal status line');
    expect(mail.Text).toMatch(new RegExp(`${ORIGIN}/pricing\\?plan=pro#porchlight_resume=[0-9a-f-]{36}\\.\\d+\\.[\\w-]{43}`));
    const row = (await admin.query('select status, attempts, provider_id, sent_at from public.visitor_emails where conversation_id = $1', [c.conversationId])).rows;
    expect(row).toMatchObject([{ status: 'sent', attempts: 1, provider_id: mail.ID }]);

    await runJob(minutes(t0, 7));
    await runJob(minutes(t0, 60));
    expect(await mailsTo(c.email!)).toHaveLength(1);

    // A later reply is a new batch holding only itself.
    const later = await c.reply('Did that answer it?');
    await runJob(minutes(later.created_at, 6));
    const mails = await mailsTo(c.email!);
    expect(mails).toHaveLength(2);
    expect(mails[0].Text).toContain('Did that answer it?');
    expect(mails[0].Text).not.toContain('We are here!');
  });

  it('never emails a private note, in a follow-up or a transcript (ADR 0015)', async () => {
    const c = await chat();
    const agent = (await admin.query(`select user_id from public.company_members where company_id = $1`, [c.companyId])).rows[0].user_id;
    await admin.query(`insert into public.messages (conversation_id, sender_kind, author_id, body, is_private) values ($1, 'agent', $2, 'NOTE: refund them quietly', true)`, [
      c.conversationId,
      agent,
    ]);
    const r = await c.reply('A public answer');
    await runJob(minutes(r.created_at, 6));
    await admin.query(`update public.conversations set status = 'resolved' where id = $1`, [c.conversationId]);
    expect((await call('widget-transcript', c.widgetKey, c.visitor.token, { conversationId: c.conversationId })).status).toBe(201);
    let mails: Awaited<ReturnType<typeof mailsTo>> = [];
    for (let i = 0; i < 200 && mails.length < 2; i++) {
      mails = await mailsTo(c.email!);
      if (mails.length < 2) await new Promise((res) => setTimeout(res, 100));
    }
    expect(mails.map((m) => m.Subject.replace(/ Email Co.*/, ''))).toEqual(['Your conversation with', 'New reply from']);
    for (const m of mails) {
      expect(m.Text).toContain('A public answer');
      expect(m.Text).not.toContain('NOTE');
    }
  });

  it('never emails a reply the visitor saw, nor a visitor without an email', async () => {
    const seen = await chat();
    const r = await seen.reply('Seen right away');
    expect((await call('widget-seen', seen.widgetKey, seen.visitor.token, { conversationId: seen.conversationId, messageId: r.id })).status).toBe(200);
    const anonymous = await chat(null);
    const r2 = await anonymous.reply('Nobody to email');
    await runJob(minutes(r2.created_at, 10)); // r2 is the later reply
    expect(await mailsTo(seen.email!)).toEqual([]);
    const rows = await admin.query('select 1 from public.visitor_emails where conversation_id = any($1)', [[seen.conversationId, anonymous.conversationId]]);
    expect(rows.rowCount).toBe(0);
  });

  it('waits out a mail API outage and sends once when it is back; a crash between send and mark doubles nothing', async () => {
    const c = await chat();
    const r = await c.reply('Reply during an outage');
    await setChaos(503);
    await runJob(minutes(r.created_at, 6));
    const queued = (await admin.query('select status, attempts, last_error, next_attempt_at from public.visitor_emails where conversation_id = $1', [c.conversationId])).rows[0];
    expect(queued).toMatchObject({ status: 'queued', attempts: 1 });
    expect(queued.last_error).toMatch(/HTTP 503/);
    expect(await mailsTo(c.email!)).toEqual([]);
    await setChaos(null);
    await runJob(minutes(r.created_at, 6)); // still backing off: nothing sent
    expect((await admin.query('select status, attempts from public.visitor_emails where conversation_id = $1', [c.conversationId])).rows).toEqual([{ status: 'queued', attempts: 1 }]);
    expect(await mailsTo(c.email!)).toEqual([]);
    await runJob(minutes(r.created_at, 8));
    const [mail, ...more] = await mailsTo(c.email!);
    expect(more).toEqual([]);

    // The state a crash leaves after the API accepted the mail and before our mark committed: queued, lease over.
    await admin.query(`update public.visitor_emails set status = 'queued', sent_at = null, next_attempt_at = $2 where conversation_id = $1`, [c.conversationId, minutes(r.created_at, 8)]);
    await runJob(minutes(r.created_at, 9));
    expect(await mailsTo(c.email!)).toHaveLength(1);
    const row = (await admin.query('select status, attempts, provider_id from public.visitor_emails where conversation_id = $1', [c.conversationId])).rows[0];
    expect(row).toEqual({ status: 'sent', attempts: 3, provider_id: mail.ID });
  });

  it('refuses the function without the job secret, with a wrong one, and bad input, sending nothing', async () => {
    const url = `${stack().apiUrl}/functions/v1/email-follow-up`;
    const post = (headers: Record<string, string>, body = '{}') =>
      fetch(url, { method: 'POST', headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', ...headers }, body }).then(async (r) => [r.status, (await r.json()).code]);
    expect(await post({})).toEqual([401, 'unauthorized']);
    expect(await post({ 'X-Email-Job-Secret': 'guess' })).toEqual([401, 'unauthorized']);
    const secret = (await admin.query('select job_secret from private.email_job')).rows[0].job_secret;
    expect(await post({ 'X-Email-Job-Secret': secret }, '{"now": "yesterday"}')).toEqual([400, 'invalid_request']);
    expect(await post({ 'X-Email-Job-Secret': secret }, 'not json')).toEqual([400, 'invalid_json']);
  });
});

describe('continuity link', () => {
  it('reopens the conversation with its history in another browser once; reused, forged, expired or foreign opens nothing', async () => {
    const c = await chat();
    const r = await c.reply('Here is your answer');
    await runJob(minutes(r.created_at, 6));
    const [mail] = await mailsTo(c.email!);
    const token = decodeURIComponent(/porchlight_resume=([^\s"&]+)/.exec(mail.Text)![1]!);
    const owner = async () => (await admin.query('select v.user_id from public.conversations c join public.visitors v on v.id = c.visitor_id where c.id = $1', [c.conversationId])).rows[0].user_id;
    const redemptions = async () => Number((await admin.query('select count(*) from public.continuity_redemptions')).rows[0].count);

    // Refusals first: each one a 404, nothing changed.
    const phone = await visitorToken();
    const emailId = token.split('.')[0];
    const expired = (await admin.query(`select private.continuity_token($1, now() - interval '1 second') as t`, [emailId])).rows[0].t;
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const longer = `${emailId}.${Number(token.split('.')[1]) + 86400}.${token.split('.')[2]}`;
    const other = await createCompany(admin, { widget: { allowed_origins: [ORIGIN] } });
    const before = [await owner(), await redemptions()];
    for (const [key, t] of [[c.widgetKey, forged], [c.widgetKey, expired], [c.widgetKey, longer], [other.widgetKey!, token], [c.widgetKey, 'nonsense']] as const) {
      const res = await call('widget-resume', key, phone.token, { token: t });
      expect([res.status, res.body.code]).toEqual([404, 'continuity_token_invalid']);
    }
    expect([await owner(), await redemptions()]).toEqual(before);

    const opened = await call('widget-resume', c.widgetKey, phone.token, { token });
    expect(opened).toEqual({ status: 200, body: { conversationId: c.conversationId } });
    expect(await owner()).toBe(phone.userId);
    const history = await fetch(`${stack().apiUrl}/functions/v1/widget-messages?key=${c.widgetKey}&conversationId=${c.conversationId}`, {
      headers: { apikey: stack().anonKey, Authorization: `Bearer ${phone.token}`, Origin: ORIGIN },
    }).then((res) => res.json());
    expect(history.messages.map((m: { body: string }) => m.body)).toEqual(['Is anyone there?', 'Here is your answer']);

    const thief = await visitorToken();
    const reused = await call('widget-resume', c.widgetKey, thief.token, { token });
    expect([reused.status, reused.body.code]).toEqual([404, 'continuity_token_invalid']);
    expect(await owner()).toBe(phone.userId);
  });
});

describe('transcript on request', () => {
  it('emails a resolved conversation once to the visitor who asks, and refuses an open one or another visitor', async () => {
    const c = await chat();
    await c.reply('Glad to help, closing this now.');
    const ask = (token = c.visitor.token) => call('widget-transcript', c.widgetKey, token, { conversationId: c.conversationId });
    const open = await ask();
    expect([open.status, open.body.code]).toEqual([409, 'transcript_unavailable']);
    await admin.query(`update public.conversations set status = 'resolved' where id = $1`, [c.conversationId]);
    const stranger = await visitorToken();
    expect((await ask(stranger.token)).body.code).toBe('conversation_not_found');

    const first = await ask();
    expect(first.status).toBe(201);
    let mails: Awaited<ReturnType<typeof mailsTo>> = [];
    for (let i = 0; i < 200 && !mails.length; i++) {
      mails = await mailsTo(c.email!);
      if (!mails.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(mails).toHaveLength(1);
    expect(mails[0].Subject).toMatch(/^Your conversation with Email Co/);
    expect(mails[0].Text).toContain('Is anyone there?');
    expect(mails[0].Text).toContain('Glad to help, closing this now.');
    const again = await ask();
    // The first one's state: sent, or queued for the instant between the API's answer and the function's mark.
    expect(again).toEqual({ status: 200, body: { transcript: { id: first.body.transcript.id, status: expect.stringMatching(/^(sent|queued)$/) } } });
    expect(await mailsTo(c.email!)).toHaveLength(1);
    expect((await call('widget-transcript', c.widgetKey, c.visitor.token, { conversationId: 'nope' })).status).toBe(400);
  });
});
