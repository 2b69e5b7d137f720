// Meta channels end to end against the running stand-in (real Deno, Postgres, Auth) and the fake Graph API (a
// test double: Meta's servers cannot exist here): connecting a channel, the webhook's handshake and signature,
// storing each message once, the Send API with retries and the 24-hour window, receipts, tenant isolation, the
// background retry job, and replies with files.
import { randomInt, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTML, PDF, PNG } from '../support/attachments.ts';
import { addMember, createCompany, createLogin } from '../support/factories.ts';
import { fake, fakeGraphUrl, messagePayload, postWebhook, receiptPayload, webhookUrl } from '../support/fake-graph.ts';
import { runScheduledJob } from '../support/scheduled-job.ts';
import { client, db, serviceClient, stack, uniqueEmail } from '../support/stack.ts';

let admin: pg.Client;
/** As the migrations' owner: the scheduled jobs' private functions. */
let owner: pg.Client;
const digits = () => String(randomInt(1e9, 9e9)) + String(randomInt(1e5, 9e5));

async function signIn(email: string, password: string) {
  const c = client();
  const { data, error } = await c.auth.signInWithPassword({ email, password });
  if (error) throw error;
  return { token: data.session!.access_token, db: c };
}

async function call(fn: string, token: string, body: unknown) {
  const res = await fetch(`${stack().apiUrl}/functions/v1/${fn}`, {
    method: 'POST',
    headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function member(companyId: string, role: 'admin' | 'agent') {
  const login = await createLogin(serviceClient(), uniqueEmail(role));
  await addMember(admin, companyId, login.id, role);
  return { id: login.id, ...(await signIn(login.email, login.password)) };
}

/** A company with an admin, an agent, a fake page of its own and a connected Messenger channel. */
async function tenant() {
  const { companyId } = await createCompany(admin);
  const adminUser = await member(companyId, 'admin');
  const agent = await member(companyId, 'agent');
  const page = { id: digits(), name: `Page ${companyId.slice(0, 4)}`, token: `token-${randomUUID()}` };
  await fake('pages', page);
  const secrets = { appSecret: `secret-${randomUUID()}`, verifyToken: `verify-${randomUUID()}` };
  const connected = await call('meta-channels', adminUser.token, { companyId, platform: 'facebook', pageId: page.id, pageToken: page.token, ...secrets });
  expect(connected.status).toBe(201);
  return { companyId, admin: adminUser, agent, page, ...secrets, channelId: connected.body.channel.id as string };
}

async function stored(channelId: string) {
  return Number((await admin.query('select count(*) n from public.meta_inbound where channel_id = $1', [channelId])).rows[0].n);
}

async function writeAsUser(t: Awaited<ReturnType<typeof tenant>>, senderId: string, text: string, mid?: string) {
  return postWebhook(webhookUrl(t.channelId), t.appSecret, messagePayload({ object: 'page', accountId: t.page.id, senderId, text, mid }));
}

let x: Awaited<ReturnType<typeof tenant>>;
let y: Awaited<ReturnType<typeof tenant>>;

beforeAll(async () => {
  admin = await db();
  owner = await db('supabase_admin');
  await owner.query('select private.set_meta_delivery_job_url($1)', [`${stack().apiUrl}/functions/v1/meta-delivery-job`]);
  [x, y] = await Promise.all([tenant(), tenant()]);
});
afterAll(async () => {
  await owner.end();
  await admin.end();
});

describe('connecting a channel', () => {
  it('tests the token against the Graph API, admins only, and never returns or exposes the secrets', async () => {
    const base = { companyId: x.companyId, platform: 'facebook', pageId: x.page.id, appSecret: 's3cret-app', verifyToken: 'verify-token-1' };
    const wrong = await call('meta-channels', x.admin.token, { ...base, pageToken: 'not-the-token' });
    expect(wrong).toMatchObject({ status: 422, body: { code: 'connection_failed' } });
    expect(wrong.body.message).toContain('Invalid OAuth access token');
    expect((await call('meta-channels', x.agent.token, { ...base, pageToken: x.page.token })).status).toBe(403);
    expect((await call('meta-channels', y.admin.token, { ...base, pageToken: x.page.token })).status).toBe(403);
    expect((await call('meta-channels', x.admin.token, { ...base, pageId: 'abc', pageToken: x.page.token })).body.code).toBe('invalid_request');

    const row = (await admin.query('select * from public.meta_channels where id = $1', [x.channelId])).rows[0];
    for (const column of ['page_token_cipher', 'app_secret_cipher', 'verify_token_cipher']) {
      expect(row[column]).not.toContain(x.page.token);
      expect(row[column]).not.toContain(x.appSecret);
      expect(row[column]).not.toContain(x.verifyToken);
    }
    // Through REST, as the company's admin: the channel, but no secret column.
    const listed = await x.admin.db.from('meta_channels').select('id, name, account_id');
    expect(listed.data).toEqual([{ id: x.channelId, name: x.page.name, account_id: x.page.id }]);
    for (const column of ['page_token_cipher', 'app_secret_cipher', 'verify_token_cipher', '*']) {
      const secret = await x.admin.db.from('meta_channels').select(column);
      expect(secret.error?.code, column).toBe('42501');
    }
    expect((await y.admin.db.from('meta_channels').select('id').eq('id', x.channelId)).data).toEqual([]);
  });
});

describe('the webhook', () => {
  it('answers the handshake only with the channel verify token', async () => {
    const url = (token: string) => `${webhookUrl(x.channelId)}&hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`;
    const ok = await fetch(url(x.verifyToken));
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    const wrong = await fetch(url(y.verifyToken));
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).code).toBe('verification_failed');
    expect((await fetch(`${webhookUrl(randomUUID())}&hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`)).status).toBe(404);
  });

  it('refuses a missing or forged signature, or another channel secret, and stores nothing', async () => {
    const payload = messagePayload({ object: 'page', accountId: x.page.id, senderId: digits(), text: 'forged' });
    const raw = JSON.stringify(payload);
    const noSig = await fetch(webhookUrl(x.channelId), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: raw });
    expect(noSig.status).toBe(401);
    expect((await noSig.json()).code).toBe('signature_missing');
    expect((await postWebhook(webhookUrl(x.channelId), x.appSecret, payload, `sha256=${'0'.repeat(64)}`)).status).toBe(403);
    expect((await postWebhook(webhookUrl(x.channelId), y.appSecret, payload)).status).toBe(403);
    expect((await postWebhook(webhookUrl(x.channelId), x.appSecret, payload, 'sha1=abc')).status).toBe(403);
    expect(await stored(x.channelId)).toBe(0);
  });

  it('stores a message once, as a new visitor with the Graph profile, in a facebook conversation', async () => {
    const senderId = digits();
    await fake('users', { id: senderId, name: 'Mia Messenger', profilePic: 'https://example.com/mia.png' });
    const mid = `m_${randomUUID()}`;
    const since = (await admin.query('select clock_timestamp() t')).rows[0].t as Date;
    const first = await writeAsUser(x, senderId, 'Hello from Messenger', mid);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ received: true, stored: 1 });
    const replay = await writeAsUser(x, senderId, 'Hello from Messenger', mid);
    expect(JSON.parse(replay.body)).toEqual({ received: true, stored: 0 });
    const rows = (
      await admin.query(
        `select m.body, m.sender_kind, c.platform, c.company_id, v.name, s.profile_pic_url from public.meta_inbound i join public.messages m on m.id = i.message_id
          join public.conversations c on c.id = m.conversation_id join public.visitors v on v.id = c.visitor_id
          join public.meta_senders s on s.visitor_id = v.id where i.channel_id = $1 and s.sender_id = $2`,
        [x.channelId, senderId],
      )
    ).rows;
    expect(rows).toEqual([{ body: 'Hello from Messenger', sender_kind: 'visitor', platform: 'facebook', company_id: x.companyId, name: 'Mia Messenger', profile_pic_url: 'https://example.com/mia.png' }]);
    // The existing message triggers announce it on the company's topic, as they do a widget message (once).
    const { rows: signals } = await admin.query(
      `select topic from realtime.messages where inserted_at >= $1::timestamptz at time zone 'utc' and topic like $2 and payload::text like '%Hello from Messenger%'`,
      [since.toISOString(), `company:${x.companyId}:%`],
    );
    expect(signals.length).toBeGreaterThanOrEqual(1);
    // The agents of the company see it through REST; the other company's do not.
    expect((await x.agent.db.from('messages').select('body').eq('body', 'Hello from Messenger')).data).toHaveLength(1);
    expect((await y.agent.db.from('messages').select('body').eq('body', 'Hello from Messenger')).data).toHaveLength(0);
  });

  it("ignores events for another page even when signed with this channel's secret", async () => {
    const before = await stored(x.channelId);
    const res = await postWebhook(webhookUrl(x.channelId), x.appSecret, messagePayload({ object: 'page', accountId: y.page.id, senderId: digits(), text: 'not yours' }));
    expect(JSON.parse(res.body).stored).toBe(0);
    expect(await stored(x.channelId)).toBe(before);
    expect(await stored(y.channelId)).toBe(0);
  });

  it('connects an Instagram account linked to the page and stores its messages in an instagram conversation', async () => {
    const page = { id: digits(), name: 'Insta page', token: `token-${randomUUID()}`, instagramId: digits() };
    await fake('pages', page);
    const secrets = { appSecret: `secret-${randomUUID()}`, verifyToken: `verify-${randomUUID()}` };
    const base = { companyId: x.companyId, platform: 'instagram', pageId: page.id, pageToken: page.token, ...secrets };
    const connected = await call('meta-channels', x.admin.token, base);
    expect(connected).toMatchObject({ status: 201, body: { channel: { platform: 'instagram', page_id: page.id, account_id: page.instagramId } } });
    const channelId = connected.body.channel.id as string;
    const noAccount = { id: digits(), name: 'No IG', token: `token-${randomUUID()}` };
    await fake('pages', noAccount);
    expect((await call('meta-channels', x.admin.token, { ...base, pageId: noAccount.id, pageToken: noAccount.token })).body.code).toBe('no_instagram_account');
    // A page-object body is refused on an Instagram channel; the instagram one is stored.
    const senderId = digits();
    expect((await postWebhook(webhookUrl(channelId), secrets.appSecret, messagePayload({ object: 'page', accountId: page.instagramId, senderId, text: 'x' }))).status).toBe(400);
    const res = await postWebhook(webhookUrl(channelId), secrets.appSecret, messagePayload({ object: 'instagram', accountId: page.instagramId, senderId, text: 'Hi from Instagram' }));
    expect(JSON.parse(res.body).stored).toBe(1);
    const { rows } = await admin.query(
      `select c.platform from public.meta_inbound i join public.messages m on m.id = i.message_id join public.conversations c on c.id = m.conversation_id where i.channel_id = $1`,
      [channelId],
    );
    expect(rows).toEqual([{ platform: 'instagram' }]);
  });

  it('answers bad payloads with a 400, never a 5xx', async () => {
    for (const body of [{ object: 'page' }, { object: 'page', entry: [{ id: 'x' }] }, { object: 'instagram', entry: [] }]) {
      expect((await postWebhook(webhookUrl(x.channelId), x.appSecret, body)).status).toBe(400);
    }
  });
});

async function conversationWith(t: Awaited<ReturnType<typeof tenant>>) {
  const senderId = digits();
  await writeAsUser(t, senderId, `hi ${senderId}`);
  const { rows } = await admin.query(
    `select c.id from public.conversations c join public.meta_senders s on s.visitor_id = c.visitor_id where s.channel_id = $1 and s.sender_id = $2`,
    [t.channelId, senderId],
  );
  return { senderId, conversationId: rows[0].id as string };
}

async function reply(t: Awaited<ReturnType<typeof tenant>>, conversationId: string, body: string) {
  const id = randomUUID();
  const { error } = await t.agent.db.from('messages').insert({ id, conversation_id: conversationId, sender_kind: 'agent', author_id: t.agent.id, body });
  if (error) throw error;
  return id;
}

const sentTo = async (recipientId: string) => ((await fake('calls')).calls as { recipientId: string; text: string; answered: number }[]).filter((c) => c.recipientId === recipientId);

describe('sending a reply', () => {
  it('reaches the Send API, retries a transient failure, and read receipts mark it seen', async () => {
    const { senderId, conversationId } = await conversationWith(x);
    const id = await reply(x, conversationId, 'Hello Mia, how can we help?');
    await fake('fail', { count: 1, status: 500, message: 'An unexpected error has occurred. Please retry your request later.', code: 2 });
    const sent = await call('meta-send', x.agent.token, { messageId: id });
    expect(sent.status).toBe(200);
    expect(sent.body.delivery).toMatchObject({ status: 'sent', attempts: 2, error: null });
    expect((await sentTo(senderId)).map((c) => [c.text, c.answered])).toEqual([
      ['Hello Mia, how can we help?', 500],
      ['Hello Mia, how can we help?', 200],
    ]);
    // Sending again is a no-op.
    expect((await call('meta-send', x.agent.token, { messageId: id })).body.delivery.status).toBe('sent');
    expect(await sentTo(senderId)).toHaveLength(2);

    await postWebhook(webhookUrl(x.channelId), x.appSecret, receiptPayload({ object: 'page', accountId: x.page.id, senderId, kind: 'read', watermark: Date.now() + 1000 }));
    const after = (await admin.query('select d.status, c.visitor_last_read_message_id from public.meta_deliveries d join public.messages m on m.id = d.message_id join public.conversations c on c.id = m.conversation_id where d.message_id = $1', [id])).rows[0];
    expect(after).toEqual({ status: 'read', visitor_last_read_message_id: id });
  });

  it("shows the platform's reason for a failure, and a later call retries it", async () => {
    const { senderId, conversationId } = await conversationWith(x);
    const id = await reply(x, conversationId, 'This one fails first');
    await fake('fail', { count: 1, status: 400, message: '(#100) The user is not available right now', code: 100 });
    const failed = await call('meta-send', x.agent.token, { messageId: id });
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ code: 'send_failed', delivery: { status: 'failed', attempts: 1, error: '(#100) The user is not available right now' } });
    const retried = await call('meta-send', x.agent.token, { messageId: id });
    expect(retried.body.delivery).toMatchObject({ status: 'sent', attempts: 2, error: null });
    expect((await sentTo(senderId)).map((c) => c.answered)).toEqual([400, 200]);
  });

  it("refuses outside Meta's 24-hour window", async () => {
    const { senderId, conversationId } = await conversationWith(x);
    await admin.query(`update public.messages set created_at = now() - interval '25 hours' where conversation_id = $1`, [conversationId]);
    const id = await reply(x, conversationId, 'Too late');
    const refused = await call('meta-send', x.agent.token, { messageId: id });
    expect(refused).toMatchObject({ status: 422, body: { code: 'window_closed', delivery: { status: 'failed' } } });
    expect(await sentTo(senderId)).toHaveLength(0);
  });

  it("never sends another company's reply", async () => {
    const { senderId, conversationId } = await conversationWith(x);
    const id = await reply(x, conversationId, 'Only X may send this');
    expect((await call('meta-send', y.agent.token, { messageId: id })).status).toBe(404);
    expect((await call('meta-send', y.admin.token, { messageId: id })).status).toBe(404);
    expect((await call('meta-send', x.agent.token, { messageId: 'nope' })).status).toBe(400);
    expect(await sentTo(senderId)).toHaveLength(0);
    expect((await admin.query('select count(*) n from public.meta_deliveries where message_id = $1', [id])).rows[0].n).toBe('0');
  });
});

/** One run of the scheduled delivery retry at `now`, as pg_cron runs it. */
const runDeliveryJob = (now: Date) => runScheduledJob(owner, 'private.run_meta_delivery_job', now);

const deliveryOf = async (messageId: string) =>
  (await admin.query('select status, attempts, retries, error, next_attempt_at from public.meta_deliveries where message_id = $1', [messageId])).rows[0];
const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);
const OUTAGE = { status: 500, message: 'An unexpected error has occurred. Please retry your request later.', code: 2 };

describe('background delivery retries (the scheduled job)', () => {
  it('sends a reply caught in a Meta outage once Meta is back, exactly once, on the planned schedule', async () => {
    const { senderId, conversationId } = await conversationWith(x);
    const id = await reply(x, conversationId, 'Sent through the outage');
    await fake('fail', { count: 3, ...OUTAGE });
    const start = new Date();
    const first = await call('meta-send', x.agent.token, { messageId: id });
    expect(first).toMatchObject({ status: 502, body: { code: 'send_failed', delivery: { status: 'pending', attempts: 3, retries: 0, error: OUTAGE.message } } });
    // The first retry is planned a minute after the quick tries.
    const planned = new Date((await deliveryOf(id)).next_attempt_at).getTime();
    expect(planned - start.getTime()).toBeGreaterThanOrEqual(55_000);
    expect(planned - start.getTime()).toBeLessThan(70_000);

    // Not due yet: nothing is sent.
    await runDeliveryJob(minutes(start, 0.5));
    expect((await deliveryOf(id)).attempts).toBe(3);

    // Due, and Meta still down: the next retry is planned two minutes later.
    await fake('fail', { count: 1, ...OUTAGE });
    const second = minutes(start, 1.2);
    await runDeliveryJob(second);
    const afterSecond = await deliveryOf(id);
    expect(afterSecond).toMatchObject({ status: 'pending', attempts: 4, retries: 1, error: OUTAGE.message });
    expect(new Date(afterSecond.next_attempt_at).getTime()).toBe(minutes(second, 2).getTime());

    // Meta is back: sent once; later runs leave it alone.
    await runDeliveryJob(minutes(second, 2.1));
    expect(await deliveryOf(id)).toMatchObject({ status: 'sent', attempts: 5, retries: 2, error: null, next_attempt_at: null });
    await runDeliveryJob(minutes(second, 30));
    expect((await sentTo(senderId)).map((c) => [c.text, c.answered])).toEqual([
      ...Array.from({ length: 4 }, () => ['Sent through the outage', 500]),
      ['Sent through the outage', 200],
    ]);
  });

  it('gives up after the last planned retry, and never retries a permanent failure or a reply outside the window', async () => {
    const { senderId, conversationId } = await conversationWith(x);
    const tired = await reply(x, conversationId, 'Out of retries');
    await fake('fail', { count: 3, ...OUTAGE });
    await call('meta-send', x.agent.token, { messageId: tired });
    // As if five background retries had failed already: the sixth is the last planned one.
    await admin.query(`update public.meta_deliveries set retries = 5 where message_id = $1`, [tired]);
    await fake('fail', { count: 1, ...OUTAGE });
    await runDeliveryJob(minutes(new Date(), 2));
    expect(await deliveryOf(tired)).toMatchObject({ status: 'failed', attempts: 4, retries: 6, error: OUTAGE.message, next_attempt_at: null });

    const refused = await reply(x, conversationId, 'Refused for good');
    await fake('fail', { count: 1, status: 400, message: '(#551) This person isn\'t available right now.', code: 551 });
    expect((await call('meta-send', x.agent.token, { messageId: refused })).status).toBe(502);
    expect(await deliveryOf(refused)).toMatchObject({ status: 'failed', attempts: 1, next_attempt_at: null });

    const late = await reply(x, conversationId, 'The window closes meanwhile');
    await fake('fail', { count: 3, ...OUTAGE });
    await call('meta-send', x.agent.token, { messageId: late });
    await admin.query(`update public.messages set created_at = created_at - interval '25 hours' where conversation_id = $1 and sender_kind = 'visitor'`, [conversationId]);
    await runDeliveryJob(minutes(new Date(), 2));
    expect(await deliveryOf(late)).toMatchObject({ status: 'failed', attempts: 3, next_attempt_at: null, error: expect.stringContaining('24-hour') });

    // Nothing was sent beyond the tries counted above.
    const calls = await sentTo(senderId);
    expect(calls.filter((c) => c.answered === 200)).toEqual([]);
    expect(calls).toHaveLength(4 + 1 + 3);
    expect(await runDeliveryJob(minutes(new Date(), 120))).toBeNull();
  });

  it('refuses the job without its secret or with a wrong one, and nobody but the service role may claim deliveries', async () => {
    const url = `${stack().apiUrl}/functions/v1/meta-delivery-job`;
    const post = (headers: Record<string, string>, body = '{}') =>
      fetch(url, { method: 'POST', headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', ...headers }, body }).then(async (r) => [r.status, (await r.json()).code]);
    expect(await post({})).toEqual([401, 'unauthorized']);
    expect(await post({ 'X-Job-Secret': 'guess' })).toEqual([401, 'unauthorized']);
    const secret = (await owner.query('select job_secret from private.meta_delivery_job')).rows[0].job_secret;
    expect(await post({ 'X-Job-Secret': secret }, '{"now": "soon"}')).toEqual([400, 'invalid_request']);
    expect(await post({ 'X-Job-Secret': secret }, 'not json')).toEqual([400, 'invalid_json']);
    for (const caller of [x.agent.db, x.admin.db, client()]) {
      const { error } = await caller.rpc('meta_delivery_job_claim', { p_secret: secret });
      expect(error?.code).toBe('42501');
    }
  });
});

/** An agent's reply with files, stored as the dashboard stores one: the objects in the bucket, then the rows and the
 * message in one transaction (a reply without text needs its files linked when it commits). */
async function replyWithFiles(t: Awaited<ReturnType<typeof tenant>>, conversationId: string, body: string, files: { name: string; type: string; bytes: Buffer }[]) {
  const id = randomUUID();
  const rows = [];
  for (const f of files) {
    const fileId = randomUUID();
    const path = `company/${t.companyId}/conversation/${conversationId}/${fileId}/${f.name}`;
    const { error } = await serviceClient().storage.from('attachments').upload(path, f.bytes, { contentType: f.type });
    if (error) throw error;
    rows.push([fileId, t.companyId, conversationId, id, t.agent.id, path, f.name, f.type, f.bytes.length]);
  }
  await admin.query('begin');
  try {
    for (const r of rows) {
      await admin.query(
        // Each file reserved at its own upload, as in the dashboard: the thread (and Meta) get them in that order.
        `insert into public.attachments (id, company_id, conversation_id, message_id, uploader_id, object_path, name, content_type, size_bytes, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, clock_timestamp())`,
        r,
      );
    }
    await admin.query(`insert into public.messages (id, conversation_id, sender_kind, author_id, body) values ($1, $2, 'agent', $3, $4)`, [id, conversationId, t.agent.id, body]);
    await admin.query('commit');
  } catch (e) {
    await admin.query('rollback');
    throw e;
  }
  return id;
}

describe('files in a reply', () => {
  it('sends the text, then each file by a URL Meta can fetch; a failure part-way goes on from the next part', async () => {
    const { senderId, conversationId } = await conversationWith(x);
    const id = await replyWithFiles(x, conversationId, 'Here are the photo and the invoice', [
      { name: 'photo.png', type: 'image/png', bytes: PNG },
      { name: 'invoice.pdf', type: 'application/pdf', bytes: PDF },
    ]);
    // The text and the photo go through; Meta is down for the invoice.
    await fake('fail', { after: 2, count: 3, ...OUTAGE });
    const first = await call('meta-send', x.agent.token, { messageId: id });
    expect(first).toMatchObject({ status: 502, body: { delivery: { status: 'pending', parts_sent: 2, attempts: 5 } } });
    await runDeliveryJob(minutes(new Date(), 1.5));
    expect(await deliveryOf(id)).toMatchObject({ status: 'sent', next_attempt_at: null });
    const calls = (await fake('calls')).calls.filter((c: { recipientId: string }) => c.recipientId === senderId);
    // Each part once when accepted: the text and the photo are not sent again by the retry.
    expect(calls.map((c: { text?: string; attachment?: { type: string }; answered: number }) => [c.text ?? c.attachment!.type, c.answered])).toEqual([
      ['Here are the photo and the invoice', 200],
      ['image', 200],
      ['file', 500],
      ['file', 500],
      ['file', 500],
      ['file', 200],
    ]);
    // What Meta fetched is the file itself, by the link the function signed.
    expect(calls[1].attachment).toMatchObject({ fetched: 200, contentType: 'image/png', bytes: PNG.length });
    expect(calls[5].attachment).toMatchObject({ fetched: 200, contentType: 'application/pdf', bytes: PDF.length });
  });

  it('sends a reply that is only a file, and fails one whose file is no longer stored without calling Meta', async () => {
    const { senderId, conversationId } = await conversationWith(x);
    const only = await replyWithFiles(x, conversationId, '', [{ name: 'photo.png', type: 'image/png', bytes: PNG }]);
    expect((await call('meta-send', x.agent.token, { messageId: only })).body.delivery).toMatchObject({ status: 'sent', parts_sent: 1 });
    const gone = await replyWithFiles(x, conversationId, '', [{ name: 'gone.png', type: 'image/png', bytes: PNG }]);
    const [row] = (await admin.query('select object_path from public.attachments where message_id = $1', [gone])).rows;
    await serviceClient().storage.from('attachments').remove([row.object_path]);
    const failed = await call('meta-send', x.agent.token, { messageId: gone });
    expect(failed).toMatchObject({ status: 502, body: { delivery: { status: 'failed', parts_sent: 0, next_attempt_at: null, error: 'This file is no longer stored, so Meta cannot fetch it.' } } });
    expect((await sentTo(senderId)).map((c) => c.answered)).toEqual([200]);
  });
});

describe('files from a Messenger user', () => {
  it('stores the files whose bytes are an allowed type, links them to the message once, and tells the dashboards', async () => {
    const { senderId, conversationId } = await conversationWith(x);
    const photo = (await fake('files', { name: `photo-${randomUUID()}.png`, contentType: 'image/png', base64: PNG.toString('base64') })).url;
    // A page that says it is an image: its bytes are HTML, so it is left out.
    const disguised = (await fake('files', { name: `cat-${randomUUID()}.png`, contentType: 'image/png', base64: HTML.toString('base64') })).url;
    const missing = `${fakeGraphUrl()}/_fake/files/expired-${randomUUID()}.pdf`;
    const since = (await admin.query('select clock_timestamp() as t')).rows[0].t as Date;
    const mid = `m_${randomUUID()}`;
    const payload = messagePayload({ object: 'page', accountId: x.page.id, senderId, mid, files: [{ type: 'image', url: photo }, { type: 'image', url: disguised }, { type: 'file', url: missing }] });
    const first = await postWebhook(webhookUrl(x.channelId), x.appSecret, payload);
    expect([first.status, JSON.parse(first.body).stored]).toEqual([200, 1]);
    const replay = await postWebhook(webhookUrl(x.channelId), x.appSecret, payload);
    expect(JSON.parse(replay.body).stored).toBe(0);

    const { rows } = await admin.query(
      `select m.id message_id, m.body, a.name, a.content_type, a.size_bytes, a.object_path from public.meta_inbound i join public.messages m on m.id = i.message_id
        left join public.attachments a on a.message_id = m.id where i.platform_message_id = $1`,
      [mid],
    );
    expect(rows.map((r) => [r.body, r.content_type, Number(r.size_bytes)])).toEqual([['[image, image, file]', 'image/png', PNG.length]]);
    expect(rows[0].object_path).toMatch(new RegExp(`^company/${x.companyId}/conversation/${conversationId}/[0-9a-f-]{36}/photo-`));
    const stored = await serviceClient().storage.from('attachments').download(rows[0].object_path);
    expect(Buffer.from(await stored.data!.arrayBuffer()).equals(PNG)).toBe(true);

    // The company's agents read it through RLS, the other company's do not; the dashboards hear message.files.
    const read = async (t: typeof x) => (await t.agent.db.from('attachments').select('id').eq('message_id', rows[0].message_id)).data ?? [];
    expect(await read(x)).toHaveLength(1);
    expect(await read(y)).toHaveLength(0);
    const { rows: signals } = await admin.query(
      `select m.topic = co.realtime_topic company_topic, m.payload->>'files' files from realtime.messages m, public.companies co
        where co.id = $2 and m.event = 'message.files' and m.payload->>'message_id' = $3 and m.inserted_at >= $1::timestamptz at time zone 'utc'`,
      [since.toISOString(), x.companyId, rows[0].message_id],
    );
    expect(signals).toEqual([{ company_topic: true, files: '1' }]);

    // Over the company's size limit (its smallest, 1 KB): left out, the message and its other file still stored.
    const { rows: limit } = await admin.query('select attachment_max_bytes from public.companies where id = $1', [x.companyId]);
    await admin.query('update public.companies set attachment_max_bytes = 1024 where id = $1', [x.companyId]);
    try {
      const large = (await fake('files', { name: `large-${randomUUID()}.png`, contentType: 'image/png', base64: Buffer.concat([PNG, Buffer.alloc(2048)]).toString('base64') })).url;
      const big = `m_${randomUUID()}`;
      const sent = await postWebhook(webhookUrl(x.channelId), x.appSecret, messagePayload({ object: 'page', accountId: x.page.id, senderId, mid: big, files: [{ type: 'image', url: large }, { type: 'image', url: photo }] }));
      expect(JSON.parse(sent.body).stored).toBe(1);
      const { rows: files } = await admin.query('select a.size_bytes from public.meta_inbound i join public.attachments a on a.message_id = i.message_id where i.platform_message_id = $1', [big]);
      // The small photo is kept; the large one is not.
      expect(files.map((f) => Number(f.size_bytes))).toEqual([PNG.length]);
    } finally {
      await admin.query('update public.companies set attachment_max_bytes = $2 where id = $1', [x.companyId, limit[0].attachment_max_bytes]);
    }
  });
});
