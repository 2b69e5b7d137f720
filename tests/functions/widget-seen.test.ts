// widget-seen against the running stand-in (real Deno, real Postgres): the visitor's read mark through the
// origin-checked door, forward only, for their own conversation only, and bad input answered with a 4xx.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, db, stack } from '../support/stack.ts';

const ORIGIN = 'http://127.0.0.1:3001';
const KEY = 'pk_demo_acme';
let admin: pg.Client;

async function visitor() {
  const { data, error } = await client().auth.signInAnonymously();
  if (error) throw error;
  return data.session!.access_token;
}

async function call(fn: string, token: string, body?: unknown, origin = ORIGIN) {
  const res = await fetch(`${stack().apiUrl}/functions/v1/${fn}?key=${KEY}`, {
    method: 'POST',
    headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, Origin: origin },
    body: typeof body === 'string' ? body : JSON.stringify(body ?? {}),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  admin = await db();
});
afterAll(async () => {
  await admin.end();
});

describe('widget-seen', () => {
  it("moves the visitor's mark forward only, and refuses another visitor, a foreign message, bad input and origins", async () => {
    const token = await visitor();
    const started = await call('widget-session', token, { name: 'Sera', firstMessage: { id: crypto.randomUUID(), body: 'Hi' } });
    expect(started.status).toBe(201);
    const conversationId = started.body.conversation.id as string;
    const agent = (await admin.query(`select m.user_id from public.company_members m join public.widget_configs w using (company_id) where w.widget_key = $1 limit 1`, [KEY])).rows[0].user_id;
    const ids: string[] = [];
    for (const body of ['first answer', 'second answer']) {
      const { rows } = await admin.query(
        `insert into public.messages (conversation_id, sender_kind, author_id, body) values ($1, 'agent', $2, $3) returning id`,
        [conversationId, agent, body],
      );
      ids.push(rows[0].id);
    }
    const newer = await call('widget-seen', token, { conversationId, messageId: ids[1] });
    expect(newer.status).toBe(200);
    expect(newer.body.seen.messageId).toBe(ids[1]);
    expect(newer.body.seen.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const older = await call('widget-seen', token, { conversationId, messageId: ids[0] });
    expect([older.status, older.body.seen.messageId]).toEqual([200, ids[1]]);

    const stranger = await visitor();
    expect((await call('widget-seen', stranger, { conversationId, messageId: ids[1] })).body.code).toBe('conversation_not_found');
    const foreign = (await admin.query('select id from public.messages where conversation_id <> $1 limit 1', [conversationId])).rows[0].id;
    const wrong = await call('widget-seen', token, { conversationId, messageId: foreign });
    expect([wrong.status, wrong.body.code]).toEqual([404, 'message_not_found']);
    for (const bad of [{ conversationId }, { conversationId, messageId: 'nope' }, 'not json']) {
      const res = await call('widget-seen', token, bad);
      expect(res.status).toBe(400);
      expect(res.body).toHaveProperty('code');
    }
    expect((await call('widget-seen', token, { conversationId, messageId: ids[1] }, 'https://evil.example')).status).toBe(404);
    // The catch-up says how far the agents have read (an agent's own reply counts as read up to it).
    const history = await fetch(`${stack().apiUrl}/functions/v1/widget-messages?key=${KEY}&conversationId=${conversationId}`, {
      headers: { apikey: stack().anonKey, Authorization: `Bearer ${token}`, Origin: ORIGIN },
    }).then((r) => r.json());
    expect(history.agentRead.messageId).toBe(ids[1]);
    const mark = (await admin.query('select visitor_last_read_message_id from public.conversations where id = $1', [conversationId])).rows[0];
    expect(mark.visitor_last_read_message_id).toBe(ids[1]);
  });
});
