// widget-rating against the running stand-in (real Deno, real Postgres): the visitor rates their own resolved
// conversation through the origin-checked door; before resolve 409; a second submit changes the one rating;
// another visitor, bad input, a score off the scale and a foreign origin are refused with a 4xx.
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

async function call(fn: string, token: string, init: { method?: string; body?: unknown; query?: string; origin?: string } = {}) {
  const res = await fetch(`${stack().apiUrl}/functions/v1/${fn}?key=${KEY}${init.query ?? ''}`, {
    method: init.method ?? 'POST',
    headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, Origin: init.origin ?? ORIGIN },
    body: init.method === 'GET' ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body ?? {}),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  admin = await db();
});
afterAll(async () => {
  await admin.end();
});

describe('widget-rating', () => {
  it('rates a resolved conversation once per conversation, and refuses everything else with a 4xx', async () => {
    const token = await visitor();
    const started = await call('widget-session', token, { body: { name: 'Rita', firstMessage: { id: crypto.randomUUID(), body: 'Hi' } } });
    expect(started.status).toBe(201);
    const conversationId = started.body.conversation.id as string;
    const rate = (body: unknown, t = token, origin?: string) => call('widget-rating', t, { body, origin });

    const early = await rate({ conversationId, score: 5 });
    expect([early.status, early.body.code]).toEqual([409, 'conversation_not_resolved']);
    const state = await call('widget-rating', token, { method: 'GET', query: `&conversationId=${conversationId}` });
    expect(state).toEqual({ status: 200, body: { status: 'open', scale: 'five', rating: null } });

    await admin.query(`update public.conversations set status = 'resolved' where id = $1`, [conversationId]);
    const first = await rate({ conversationId, score: 5, comment: 'Lovely' });
    expect(first.status).toBe(200);
    expect(first.body.rating).toMatchObject({ scale: 'five', score: 5, comment: 'Lovely' });
    const second = await rate({ conversationId, score: 3 });
    expect(second.body.rating).toMatchObject({ score: 3, comment: null });
    const rows = (await admin.query('select score from public.conversation_ratings where conversation_id = $1', [conversationId])).rows;
    expect(rows).toEqual([{ score: 3 }]);
    const after = await call('widget-rating', token, { method: 'GET', query: `&conversationId=${conversationId}` });
    expect(after.body).toMatchObject({ status: 'resolved', scale: 'five', rating: { score: 3 } });

    const stranger = await visitor();
    const theirs = await rate({ conversationId, score: 1 }, stranger);
    expect([theirs.status, theirs.body.code]).toEqual([404, 'conversation_not_found']);
    const offScale = await rate({ conversationId, score: 0 });
    expect([offScale.status, offScale.body.code]).toEqual([422, 'score_not_on_scale']);
    for (const bad of [{ conversationId }, { conversationId, score: 'five' }, { conversationId, score: 2.5 }, { conversationId: 'x', score: 3 },
      { conversationId, score: 3, comment: 'x'.repeat(1001) }, { conversationId, score: 3, comment: 'bell\u0007' }, 'not json']) {
      const res = await rate(bad);
      expect([JSON.stringify(bad).slice(0, 40), res.status]).toEqual([JSON.stringify(bad).slice(0, 40), 400]);
      expect(res.body).toHaveProperty('code');
      expect(res.body).toHaveProperty('message');
    }
    expect((await call('widget-rating', token, { method: 'GET', query: '&conversationId=nope' })).status).toBe(400);
    expect((await rate({ conversationId, score: 4 }, token, 'https://evil.example')).status).toBe(404);
    expect((await admin.query('select score from public.conversation_ratings where conversation_id = $1', [conversationId])).rows).toEqual([{ score: 3 }]);
  });
});
