// Every path a private note could take to the visitor, walked on the running stack (real Postgres, PostgREST,
// Realtime socket, Deno functions): REST with the visitor's token, broadcasts on their conversation topic, the
// widget's catch-up and session resume, the read marks, the typing channel, files. Each walk has a control that
// does arrive (a reply after the note, a reply-mode keystroke), so an absence is proof, not a quiet test.
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composerTyping } from '../../app/lib/composer-typing.ts';
import { TypingHub } from '../../app/lib/typing.client.ts';
import { typingTopic } from '../../widget/src/typing.ts';
import { addMember } from '../support/factories.ts';
import { client, db, serviceClient, stack, uniqueEmail } from '../support/stack.ts';

const ORIGIN = 'http://127.0.0.1:3001';
const KEY = 'pk_demo_acme';
const SECRET = `note-secret-${randomUUID()}`;
type Client = ReturnType<typeof client>;
type Frame = { event: string; payload: Record<string, unknown> };

let admin: pg.Client;
const clients: Client[] = [];
let visitor: { c: Client; token: string; id: string };
let agent: { c: Client; id: string };
let conversationId: string;
let companyTopic: string;
let noteId: string;
let replyId: string;
let visitorFrames: Frame[];
let agentFrames: Frame[];

async function listen(c: Client, topic: string): Promise<{ frames: Frame[]; until: (m: (f: Frame) => boolean) => Promise<void>; channel: RealtimeChannel }> {
  const frames: Frame[] = [];
  const waiters: { match: (f: Frame) => boolean; resolve: () => void }[] = [];
  const channel = c.channel(topic, { config: { private: true } });
  channel.on('broadcast', { event: '*' }, (msg) => {
    const f = { event: String(msg.event), payload: (msg.payload ?? {}) as Record<string, unknown> };
    frames.push(f);
    for (const w of [...waiters]) if (w.match(f)) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
  });
  await new Promise<void>((resolve, reject) =>
    channel.subscribe((status, err) => (status === 'SUBSCRIBED' ? resolve() : status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' ? reject(err ?? new Error(status)) : undefined)),
  );
  return {
    frames,
    channel,
    until: (match) => (frames.some(match) ? Promise.resolve() : new Promise((resolve) => waiters.push({ match, resolve }))),
  };
}

async function widget(fn: string, init: { method?: string; body?: unknown; query?: string } = {}) {
  const res = await fetch(`${stack().apiUrl}/functions/v1/${fn}?key=${KEY}${init.query ?? ''}`, {
    method: init.method ?? 'POST',
    headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', Authorization: `Bearer ${visitor.token}`, Origin: ORIGIN },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, text: '' };
}

const leaks = (value: unknown) => {
  const text = JSON.stringify(value);
  return text.includes(SECRET) || text.includes(noteId);
};

beforeAll(async () => {
  admin = await db();
  const v = client();
  clients.push(v);
  const anon = await v.auth.signInAnonymously();
  expect(anon.error).toBeNull();
  await v.realtime.setAuth(anon.data.session!.access_token);
  visitor = { c: v, token: anon.data.session!.access_token, id: anon.data.user!.id };
  const started = await widget('widget-session', { body: { name: 'Nora', firstMessage: { id: randomUUID(), body: 'Hello?' } } });
  expect(started.status).toBe(201);
  conversationId = (started.body.conversation as { id: string }).id;
  const company = (await admin.query('select c.id, c.realtime_topic from public.companies c join public.widget_configs w on w.company_id = c.id where w.widget_key = $1', [KEY])).rows[0];
  companyTopic = company.realtime_topic;

  const email = uniqueEmail('notes-agent');
  const created = await serviceClient().auth.admin.createUser({ email, password: 'notes-agent-pw', email_confirm: true });
  expect(created.error).toBeNull();
  await addMember(admin, company.id, created.data.user!.id, 'agent', 'Nadia Notes');
  const a = client();
  clients.push(a);
  const signedIn = await a.auth.signInWithPassword({ email, password: 'notes-agent-pw' });
  expect(signedIn.error).toBeNull();
  await a.realtime.setAuth(signedIn.data.session!.access_token);
  agent = { c: a, id: created.data.user!.id };

  const visitorFeed = await listen(visitor.c, `conversation:${conversationId}`);
  const agentFeed = await listen(agent.c, companyTopic);
  visitorFrames = visitorFeed.frames;
  agentFrames = agentFeed.frames;
  // The note, then a reply: frames on one topic arrive in order, so once the reply is in, a note frame would be too.
  noteId = randomUUID();
  replyId = randomUUID();
  const note = await agent.c.from('messages').insert({ id: noteId, conversation_id: conversationId, sender_kind: 'agent', author_id: agent.id, body: SECRET, is_private: true });
  expect(note.error).toBeNull();
  await agentFeed.until((f) => f.event === 'note.created' && f.payload.id === noteId);
  const reply = await agent.c.from('messages').insert({ id: replyId, conversation_id: conversationId, sender_kind: 'agent', author_id: agent.id, body: 'A public reply' });
  expect(reply.error).toBeNull();
  await visitorFeed.until((f) => f.event === 'message.created' && f.payload.id === replyId);
  await agentFeed.until((f) => f.event === 'message.created' && f.payload.id === replyId);
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.removeAllChannels();
  await admin?.end();
});

describe('a private note never reaches the visitor', () => {
  it('is stored and shown to the agents: their REST read and a note.created on the company topic', async () => {
    const own = await agent.c.from('messages').select('id, body, is_private').eq('id', noteId);
    expect(own.data).toEqual([{ id: noteId, body: SECRET, is_private: true }]);
    expect(agentFrames.find((f) => f.event === 'note.created')?.payload).toMatchObject({ id: noteId, body: SECRET, is_private: true, conversation_id: conversationId });
    // The note is not a message.created: the inbox's preview and counts do not move for it.
    expect(agentFrames.some((f) => f.event === 'message.created' && f.payload.id === noteId)).toBe(false);
  });

  it("is not readable through REST with the visitor's token, nor visible in their conversation row", async () => {
    const thread = await visitor.c.from('messages').select('*').eq('conversation_id', conversationId);
    expect(thread.error).toBeNull();
    expect(thread.data!.map((m) => m.id)).toContain(replyId);
    expect(leaks(thread.data)).toBe(false);
    const byId = await visitor.c.from('messages').select('*').eq('id', noteId);
    expect(byId.data).toEqual([]);
    const flagged = await visitor.c.from('messages').select('id').eq('is_private', true);
    expect(flagged.data).toEqual([]);
    const conversation = await visitor.c.from('conversations').select('*').eq('id', conversationId);
    expect(conversation.data).toHaveLength(1);
    expect(leaks(conversation.data)).toBe(false);
  });

  it("is not broadcast on the visitor's conversation topic (the reply after it is)", async () => {
    expect(visitorFrames.some((f) => f.event === 'message.created' && f.payload.id === replyId)).toBe(true);
    expect(leaks(visitorFrames)).toBe(false);
  });

  it("is not in the widget's catch-up, its session resume, or its read marks", async () => {
    const history = await widget('widget-messages', { method: 'GET', query: `&conversationId=${conversationId}` });
    expect(history.status).toBe(200);
    expect((history.body.messages as { id: string }[]).map((m) => m.id)).toContain(replyId);
    expect(leaks(history.body)).toBe(false);
    // A note's id is no cursor and no read mark for the visitor.
    const after = await widget('widget-messages', { method: 'GET', query: `&conversationId=${conversationId}&after=${noteId}` });
    expect(after.status).toBeGreaterThanOrEqual(400);
    expect(after.status).toBeLessThan(500);
    expect(leaks(after.body)).toBe(false);
    const seen = await widget('widget-seen', { body: { conversationId, messageId: noteId } });
    expect([seen.status, seen.body.code]).toEqual([404, 'message_not_found']);
    const resumed = await widget('widget-session', { body: { name: 'Nora' } });
    expect(resumed.status).toBeLessThan(300);
    expect((resumed.body.conversation as { id: string }).id).toBe(conversationId);
    expect(leaks(resumed.body)).toBe(false);
  });

  it("does not become the agents' read mark the visitor sees as Seen", async () => {
    const note = randomUUID();
    await agent.c.from('messages').insert({ id: note, conversation_id: conversationId, sender_kind: 'agent', author_id: agent.id, body: 'read mark probe', is_private: true });
    const read = await agent.c.rpc('mark_conversation_read', { p_conversation_id: conversationId });
    expect(read.error).toBeNull();
    const mark = (await admin.query('select agent_last_read_message_id from public.conversations where id = $1', [conversationId])).rows[0];
    expect(mark.agent_last_read_message_id).not.toBe(note);
  });

  it('makes no typing signal while the composer is in note mode (a reply-mode keystroke after it does)', async () => {
    const feed = await listen(visitor.c, typingTopic(conversationId));
    const hub = new TypingHub(agent.c as unknown as ConstructorParameters<typeof TypingHub>[0], 'Nadia Notes');
    const release = hub.watch(conversationId);
    try {
      // A reply keystroke first, retried until the hub has joined (a keystroke before that is not sent).
      const started = feed.until((f) => f.payload.typing === true);
      for (let i = 0; i < 400 && !feed.frames.length; i++) {
        composerTyping(hub, conversationId, 'reply', 'Hi');
        await new Promise((r) => setTimeout(r, 25));
      }
      await started;
      // Switching to a note ends that reply's typing (one stop), then a whole note is written.
      for (const draft of ['S', 'Se', 'Sec', 'Secret', 'Secret plans', 'Secret plans!']) composerTyping(hub, conversationId, 'note', draft);
      // The control: a reply keystroke after the note is a new start, and arrives after anything the note sent.
      composerTyping(hub, conversationId, 'reply', 'Hi again');
      await feed.until((f) => f.payload.typing === true && feed.frames.indexOf(f) > 0);
      expect(feed.frames.map((f) => [f.payload.from, f.payload.typing])).toEqual([
        ['agent', true],
        ['agent', false],
        ['agent', true],
      ]);
        } finally {
      release();
      await visitor.c.removeChannel(feed.channel);
    }
  });

  it('carries no files: linking an attachment to a note is refused', async () => {
    await admin.query('begin');
    try {
      const company = (await admin.query('select company_id from public.conversations where id = $1', [conversationId])).rows[0].company_id;
      const id = randomUUID();
      await admin.query(
        `insert into public.attachments (id, company_id, conversation_id, uploader_id, name, content_type, size_bytes, object_path)
         values ($1, $2, $3, $4, 'a.png', 'image/png', 10, $5)`,
        [id, company, conversationId, agent.id, `company/${company}/conversation/${conversationId}/${id}/a.png`],
      );
      await expect(admin.query('update public.attachments set message_id = $1 where id = $2', [noteId, id])).rejects.toMatchObject({ code: '23514' });
    } finally {
      await admin.query('rollback');
    }
  });

  it('is marked by a column emails and transcripts filter on (messages.is_private, never null, false by default)', async () => {
    // The email and transcript helpers (issue 19b) test their own exclusion of notes on this column.
    const { rows } = await admin.query(
      `select data_type, is_nullable, column_default from information_schema.columns where table_schema = 'public' and table_name = 'messages' and column_name = 'is_private'`,
    );
    expect(rows).toEqual([{ data_type: 'boolean', is_nullable: 'NO', column_default: 'false' }]);
  });
});
