// The product's Realtime topics on a real socket (official supabase-js): a removed member stops receiving at once,
// company broadcasts say what changed to the current members only, no client can forge a server event, and presence
// tells the truth.
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createCompany, createConversation } from '../support/factories.ts';
import { client, db, serviceClient, uniqueEmail } from '../support/stack.ts';

type Client = ReturnType<typeof client>;
type Frame = { event: string; payload: Record<string, unknown> };

let admin: pg.Client;
const clients: Client[] = [];
const companyId = randomUUID();
const PASSWORD = 'realtime-topics-pw';

function subscribe(ch: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
    });
  });
}

/** Joins a private topic and records every broadcast it delivers, in order. */
async function listen(c: Client, topic: string, presenceKey?: string) {
  const frames: Frame[] = [];
  const waiters: { match: (f: Frame) => boolean; resolve: () => void }[] = [];
  const channel = c.channel(topic, { config: { private: true, ...(presenceKey ? { presence: { key: presenceKey } } : {}) } });
  channel.on('broadcast', { event: '*' }, (msg) => {
    const f = { event: String(msg.event), payload: (msg.payload ?? {}) as Record<string, unknown> };
    frames.push(f);
    for (const w of [...waiters]) if (w.match(f)) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
  });
  let joined: () => void = () => undefined;
  const presenceJoin = new Promise<void>((resolve) => {
    joined = resolve;
  });
  channel.on('presence', { event: 'join' }, () => joined());
  await subscribe(channel);
  return {
    channel,
    frames,
    /** Resolves once someone's presence has joined the topic. */
    presenceJoin,
    /** Resolves once a broadcast matching `match` has arrived (at once if it already has). */
    until(match: (f: Frame) => boolean): Promise<void> {
      if (frames.some(match)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

async function agent(role: 'admin' | 'agent', name: string) {
  const email = uniqueEmail(`rt-${role}`);
  const created = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
  expect(created.error).toBeNull();
  const id = created.data.user!.id;
  await addMember(admin, companyId, id, role, name);
  const c = client();
  clients.push(c);
  const signedIn = await c.auth.signInWithPassword({ email, password: PASSWORD });
  expect(signedIn.error).toBeNull();
  await c.realtime.setAuth(signedIn.data.session!.access_token);
  return { c, id, session: signedIn.data.session! };
}

async function companyTopic(): Promise<string> {
  return (await admin.query('select realtime_topic from public.companies where id = $1', [companyId])).rows[0].realtime_topic;
}

/** A server event on a topic, from the database like every real one: everything sent before it arrived first. */
async function marker(topic: string): Promise<string> {
  const id = randomUUID();
  await admin.query(`select realtime.send(jsonb_build_object('id', $1::text), 'test.marker', $2, true)`, [id, topic]);
  return id;
}

async function visitorMessage(conversationId: string, userId: string, body: string): Promise<string> {
  const id = randomUUID();
  await admin.query(`insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, body) values ($1, $2, $3, 'visitor', $4, $5)`, [
    id,
    conversationId,
    companyId,
    userId,
    body,
  ]);
  return id;
}

let visitor: { c: Client; id: string };
let conversationId: string;

beforeAll(async () => {
  admin = await db();
  await createCompany(admin, { id: companyId, name: 'Realtime Topics Co', widget: false });
  const v = client();
  clients.push(v);
  const anon = await v.auth.signInAnonymously();
  expect(anon.error).toBeNull();
  await v.realtime.setAuth(anon.data.session!.access_token);
  visitor = { c: v, id: anon.data.user!.id };
  ({ conversationId } = await createConversation(admin, { companyId, userId: visitor.id, name: 'Vera Visitor' }));
});

afterAll(async () => {
  for (const c of clients) await c.removeAllChannels();
  await admin.query('delete from public.companies where id = $1', [companyId]);
  await admin.end();
});

describe('removing a member', () => {
  it('ends their live feed at once: the topic moves, they are signed out, the others follow through REST', async () => {
    const boss = await agent('admin', 'Boss');
    const leaver = await agent('agent', 'Leaver');
    const before = await companyTopic();
    const bossFeed = await listen(boss.c, before);
    const leaverFeed = await listen(leaver.c, before);

    const removed = await boss.c.from('company_members').delete().eq('company_id', companyId).eq('user_id', leaver.id).select('user_id');
    expect(removed.error).toBeNull();
    expect(removed.data).toHaveLength(1);

    // The old topic says only that it moved.
    await bossFeed.until((f) => f.event === 'company.topic_changed');
    await leaverFeed.until((f) => f.event === 'company.topic_changed');
    expect(leaverFeed.frames.find((f) => f.event === 'company.topic_changed')!.payload).toEqual({ id: expect.any(String) });

    // The remaining admin reads the new topic through REST; the removed agent cannot.
    const after = (await boss.c.from('companies').select('realtime_topic').eq('id', companyId).single()).data!.realtime_topic as string;
    expect(after).not.toBe(before);
    expect(after).toBe(await companyTopic());
    expect((await leaver.c.from('companies').select('realtime_topic').eq('id', companyId)).data).toEqual([]);
    const bossNext = await listen(boss.c, after);

    const messageId = await visitorMessage(conversationId, visitor.id, 'Secret question after the removal');
    await bossNext.until((f) => f.event === 'message.created' && f.payload.id === messageId);
    // Everything sent to the old topic after the removal has reached the removed agent once the marker has.
    const probe = await marker(before);
    await leaverFeed.until((f) => f.payload.id === probe);
    expect(leaverFeed.frames.map((f) => f.event)).toEqual(['company.topic_changed', 'test.marker']);

    // Joining the new topic is refused to them.
    await expect(listen(leaver.c, after)).rejects.toThrow(/permission|unauthorized/i);

    // Signed out server-side: Auth no longer accepts the session, and it cannot be refreshed.
    // (Auth answers 403 session_not_found; supabase-js reports it as AuthSessionMissingError.)
    const user = await leaver.c.auth.getUser(leaver.session.access_token);
    expect(user.error?.name).toBe('AuthSessionMissingError');
    expect(user.data.user).toBeNull();
    const refreshed = await client().auth.refreshSession({ refresh_token: leaver.session.refresh_token });
    expect(refreshed.error).not.toBeNull();
    // The admin who removed them is still signed in.
    expect((await boss.c.auth.getUser(boss.session.access_token)).error).toBeNull();
  });
});

describe('company broadcasts', () => {
  it('carry what changed (the message, the inbox row) to the current members, and nothing of the author', async () => {
    const watcher = await agent('agent', 'Watcher');
    const feed = await listen(watcher.c, await companyTopic());
    const messageId = await visitorMessage(conversationId, visitor.id, 'My  order\n is late');
    await feed.until((f) => f.event === 'message.created' && f.payload.id === messageId);
    const frame = feed.frames.find((f) => f.payload.id === messageId)!;
    expect(frame.payload).toEqual({
      id: messageId,
      conversation_id: conversationId,
      sender_kind: 'visitor',
      author_name: 'Vera Visitor',
      body: 'My  order\n is late',
      created_at: expect.any(String),
      attachments: [],
    });
    await admin.query(`update public.conversations set status = 'pending' where id = $1`, [conversationId]);
    await feed.until((f) => f.event === 'conversation.updated' && f.payload.id === conversationId);
    const updated = feed.frames.find((f) => f.event === 'conversation.updated')!.payload;
    expect(Object.keys(updated).sort()).toEqual(
      [
        'assignee_id', 'auto_bot', 'created_at', 'id', 'last_message_at', 'last_message_preview', 'platform', 'status', 'unread_count',
        'updated_at', 'visitor_email', 'visitor_id', 'visitor_last_read_at', 'visitor_last_read_message_id', 'visitor_name',
      ].sort(),
    );
    expect(updated).toMatchObject({ status: 'pending', last_message_preview: 'My order is late', visitor_name: 'Vera Visitor' });
    await admin.query(`update public.conversations set status = 'open' where id = $1`, [conversationId]);
  });

  it('reach no agent of another company: they cannot join the topic, even knowing it', async () => {
    const otherCompany = randomUUID();
    await createCompany(admin, { id: otherCompany, name: 'Other Co', widget: false });
    try {
      const email = uniqueEmail('rt-other');
      const created = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
      const otherId = created.data.user!.id;
      await addMember(admin, otherCompany, otherId, 'admin', 'Other');
      const c = client();
      clients.push(c);
      const signedIn = await c.auth.signInWithPassword({ email, password: PASSWORD });
      await c.realtime.setAuth(signedIn.data.session!.access_token);
      await expect(listen(c, await companyTopic())).rejects.toThrow(/permission|unauthorized/i);
    } finally {
      await admin.query('delete from public.companies where id = $1', [otherCompany]);
    }
  });
});

describe('the conversation topic', () => {
  it('delivers replies to its visitor only; a forged message.created from any client never arrives', async () => {
    const member = await agent('agent', 'Forger');
    const topic = `conversation:${conversationId}`;
    const visitorFeed = await listen(visitor.c, topic);
    // The same visitor in a second tab: what one tab sends, the other would show.
    const secondTab = client();
    clients.push(secondTab);
    await secondTab.realtime.setAuth((await visitor.c.auth.getSession()).data.session!.access_token);
    const secondTabFeed = await listen(secondTab, topic);
    // Agents may join for presence, but read no broadcasts here.
    const memberFeed = await listen(member.c, topic);

    // realtime-js answers 'ok' to a broadcast sent without ack whatever the server does with it: what counts is delivery.
    const forged = { id: randomUUID(), conversation_id: conversationId, sender_kind: 'agent', author_name: 'Support', body: 'Send your password' };
    await memberFeed.channel.send({ type: 'broadcast', event: 'message.created', payload: forged });
    await secondTabFeed.channel.send({ type: 'broadcast', event: 'message.created', payload: { ...forged, id: randomUUID() } });

    const real = await visitorMessage(conversationId, visitor.id, 'A real message');
    await visitorFeed.until((f) => f.payload.id === real);
    await secondTabFeed.until((f) => f.payload.id === real);
    expect(visitorFeed.frames.filter((f) => f.event === 'message.created').map((f) => f.payload.id)).toEqual([real]);
    expect(secondTabFeed.frames.filter((f) => f.event === 'message.created').map((f) => f.payload.id)).toEqual([real]);

    // The member's channel got the same fan-out as the visitor's and delivered none of it; presence still reaches it.
    expect(await visitorFeed.channel.track({ online_at: new Date().toISOString() })).toBe('ok');
    await memberFeed.presenceJoin;
    expect(memberFeed.frames).toEqual([]);
  });

  it('lets only its visitor be present: an agent cannot track there, a visitor cannot join the company topic', async () => {
    const member = await agent('agent', 'Presence');
    const topic = `conversation:${conversationId}`;
    const memberFeed = await listen(member.c, topic, member.id);
    expect(await memberFeed.channel.track({ kind: 'visitor' })).not.toBe('ok');
    const state = memberFeed.channel.presenceState();
    expect(Object.keys(state)).not.toContain(member.id);
    await expect(listen(visitor.c, await companyTopic(), visitor.id)).rejects.toThrow(/permission|unauthorized/i);
  });
});
