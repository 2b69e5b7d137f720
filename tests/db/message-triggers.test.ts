// Triggers on messages and conversations: last message, preview, unread count, and the realtime broadcasts.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { becomeActor, createWorld, type World } from './fixtures.ts';

let c: pg.Client;
let w: World;

beforeAll(async () => {
  c = await db();
  w = await createWorld(c);
});
afterAll(async () => {
  await c.end();
});

async function conversation(id: string) {
  return (await c.query('select unread_count, last_message_preview, last_message_at, status::text from public.conversations where id = $1', [id])).rows[0];
}

/** The database's clock, so "since" excludes what earlier tests broadcast a moment ago. */
async function dbNow(): Promise<Date> {
  return (await c.query('select clock_timestamp() as t')).rows[0].t as Date;
}

async function broadcastsSince(since: Date, topicLike: string) {
  const { rows } = await c.query(
    `select topic, event, payload from realtime.messages where inserted_at >= $1::timestamptz at time zone 'utc' and topic like $2 order by inserted_at, id`,
    [since.toISOString(), topicLike],
  );
  return rows as { topic: string; event: string; payload: Record<string, unknown> }[];
}

describe('message triggers', () => {
  it('counts visitor messages as unread, updates the preview, and an agent reply clears the count', async () => {
    const before = await conversation(w.convB);
    await c.query(`insert into public.messages (conversation_id, company_id, sender_kind, author_id, body) values ($1, $2, 'visitor', $3, $4)`, [
      w.convB,
      w.companyX,
      w.users.visitorB,
      `  A long question\n${'x'.repeat(300)}`,
    ]);
    const after = await conversation(w.convB);
    expect(after.unread_count).toBe(before.unread_count + 1);
    // Whitespace collapsed and trimmed, cut at 140 characters.
    expect(after.last_message_preview).toBe(`A long question ${'x'.repeat(300)}`.slice(0, 140));
    expect(after.last_message_at.getTime()).toBeGreaterThan(before.last_message_at.getTime());
    await c.query(`insert into public.messages (conversation_id, company_id, sender_kind, author_id, body) values ($1, $2, 'agent', $3, 'Answer')`, [
      w.convB,
      w.companyX,
      w.users.agentX,
    ]);
    expect(await conversation(w.convB)).toMatchObject({ unread_count: 0, last_message_preview: 'Answer' });
  });

  it('takes the company from the conversation, whatever the writer sent', async () => {
    const id = randomUUID();
    await c.query(`insert into public.messages (id, conversation_id, company_id, sender_kind, body) values ($1, $2, $3, 'system', 'note')`, [id, w.convA, w.companyY]);
    expect((await c.query('select company_id from public.messages where id = $1', [id])).rows[0].company_id).toBe(w.companyX);
  });

  it('reopens a resolved conversation when the visitor writes again', async () => {
    await c.query(`update public.conversations set status = 'resolved' where id = $1`, [w.convA]);
    await c.query(`insert into public.messages (conversation_id, company_id, sender_kind, author_id, body) values ($1, $2, 'visitor', $3, 'One more thing')`, [
      w.convA,
      w.companyX,
      w.users.visitorA,
    ]);
    expect((await conversation(w.convA)).status).toBe('open');
  });

  it('broadcasts a new message once per topic (message.created), without a conversation.updated for its bookkeeping', async () => {
    const since = await dbNow();
    const id = randomUUID();
    await c.query(`insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, body) values ($1, $2, $3, 'visitor', $4, 'ping')`, [
      id,
      w.convA,
      w.companyX,
      w.users.visitorA,
    ]);
    const conv = await broadcastsSince(since, `conversation:${w.convA}`);
    const comp = await broadcastsSince(since, `company:${w.companyX}:%`);
    expect(conv.map((b) => [b.event, b.payload.id])).toEqual([['message.created', id]]);
    expect(comp.map((b) => [b.event, b.payload.id])).toEqual([['message.created', id]]);
    // The visitor's topic: the message as the widget shows it (no author id, no company).
    expect(conv[0]!.payload).toMatchObject({ id, conversation_id: w.convA, sender_kind: 'visitor', body: 'ping' });
    expect(Object.keys(conv[0]!.payload).sort()).toEqual(['attachments', 'author_name', 'body', 'conversation_id', 'created_at', 'id', 'sender_kind']);
    // The company topic (issue 15): the message as the dashboard shows it, applied in place; no author id. Only the
    // company's current members hold the topic's key (tests/db/realtime-topics.test.ts).
    expect(comp[0]!.payload).toEqual({ id, conversation_id: w.convA, sender_kind: 'visitor', author_name: 'A', body: 'ping', created_at: expect.any(String), attachments: [] });
    expect(comp[0]!.topic).toBe((await c.query('select realtime_topic from public.companies where id = $1', [w.companyX])).rows[0].realtime_topic);
  });

  it('broadcasts conversation.updated to the conversation and company topics when the conversation itself changes', async () => {
    const since = await dbNow();
    await c.query(`update public.conversations set status = 'pending' where id = $1`, [w.convA]);
    const conv = await broadcastsSince(since, `conversation:${w.convA}`);
    const comp = await broadcastsSince(since, `company:${w.companyX}:%`);
    expect(conv.map((b) => [b.event, b.payload.id, b.payload.status])).toEqual([['conversation.updated', w.convA, 'pending']]);
    expect(comp.map((b) => [b.event, b.payload.id, b.payload.status])).toEqual([['conversation.updated', w.convA, 'pending']]);
    // The company topic carries a whole inbox row (issue 15: applied in place, for current members only); the
    // visitor's topic still no preview text.
    expect(Object.keys(comp[0]!.payload)).toEqual(expect.arrayContaining(['last_message_preview', 'unread_count', 'updated_at', 'visitor_name']));
    expect(Object.keys(conv[0]!.payload).sort()).toEqual(['agent_last_read_at', 'agent_last_read_message_id', 'id', 'status', 'updated_at']);
    await c.query(`update public.conversations set status = 'open' where id = $1`, [w.convA]);
  });

  it('broadcasts when an agent (not allowed to write realtime.messages itself) replies through RLS', async () => {
    const since = new Date(Date.now() - 1000);
    const id = randomUUID();
    await c.query('begin');
    await becomeActor(c, w, 'agentX');
    await c.query(`insert into public.messages (id, conversation_id, sender_kind, author_id, body) values ($1, $2, 'agent', $3, 'from RLS')`, [id, w.convA, w.users.agentX]);
    await c.query('commit');
    const conv = await broadcastsSince(since, `conversation:${w.convA}`);
    expect(conv.some((b) => b.event === 'message.created' && b.payload.id === id)).toBe(true);
  });

  it('keeps 1,000 messages inserted in one transaction in order, counted and broadcast', async () => {
    const since = new Date(Date.now() - 1000);
    const before = await conversation(w.convB);
    await c.query(
      `insert into public.messages (conversation_id, company_id, sender_kind, author_id, body)
       select $1, $2, 'visitor', $3, 'bulk ' || g from generate_series(1, 1000) g`,
      [w.convB, w.companyX, w.users.visitorB],
    );
    const after = await conversation(w.convB);
    expect(after.unread_count).toBe(before.unread_count + 1000);
    expect(after.last_message_preview).toBe('bulk 1000');
    const order = await c.query(
      `select body from public.messages where conversation_id = $1 and body like 'bulk %' order by created_at, id`,
      [w.convB],
    );
    expect(order.rows.map((r) => r.body)).toEqual(Array.from({ length: 1000 }, (_, i) => `bulk ${i + 1}`));
    const sent = await broadcastsSince(since, `conversation:${w.convB}`);
    expect(sent.filter((b) => b.event === 'message.created' && String(b.payload.body).startsWith('bulk '))).toHaveLength(1000);
  });

  it('marks a conversation read for its agents only (mark_conversation_read through RLS)', async () => {
    await c.query(`insert into public.messages (conversation_id, company_id, sender_kind, author_id, body) values ($1, $2, 'visitor', $3, 'unread')`, [
      w.convA,
      w.companyX,
      w.users.visitorA,
    ]);
    for (const actor of ['agentY', 'visitorA'] as const) {
      await c.query('begin');
      await becomeActor(c, w, actor);
      await c.query('select public.mark_conversation_read($1)', [w.convA]);
      await c.query('commit');
      expect((await conversation(w.convA)).unread_count).toBeGreaterThan(0);
    }
    await c.query('begin');
    await becomeActor(c, w, 'agentX');
    await c.query('select public.mark_conversation_read($1)', [w.convA]);
    await c.query('commit');
    expect((await conversation(w.convA)).unread_count).toBe(0);
  });
});
