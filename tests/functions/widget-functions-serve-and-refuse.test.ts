// The widget's Edge Functions against the running stand-in (real Deno, real Postgres): success paths and refusals.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompany } from '../support/factories.ts';
import { client, db, serviceClient, stack } from '../support/stack.ts';

const ORIGIN = 'http://127.0.0.1:3001';
const KEY = 'pk_demo_acme';
let admin: pg.Client;

async function visitor() {
  const { data, error } = await client().auth.signInAnonymously();
  if (error) throw error;
  return data.session!.access_token;
}

async function call(
  fn: string,
  opts: { method?: string; token?: string | null; body?: unknown; query?: Record<string, string>; origin?: string | null; rawBody?: string; headers?: Record<string, string> } = {},
) {
  const url = new URL(`${stack().apiUrl}/functions/v1/${fn}`);
  for (const [k, v] of Object.entries({ key: KEY, ...opts.query })) url.searchParams.set(k, v);
  const headers: Record<string, string> = { apikey: stack().anonKey, 'Content-Type': 'application/json', ...opts.headers };
  if (opts.origin !== null) headers.Origin = opts.origin ?? ORIGIN;
  if (opts.token !== null) headers.Authorization = `Bearer ${opts.token ?? stack().anonKey}`;
  const res = await fetch(url, {
    method: opts.method ?? (opts.body || opts.rawBody ? 'POST' : 'GET'),
    headers,
    body: opts.rawBody ?? (opts.body ? JSON.stringify(opts.body) : undefined),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function session(token: string, extra: Record<string, unknown> = {}) {
  return call('widget-session', { token, body: { name: 'Vera Visitor', page: { url: `${ORIGIN}/pricing`, title: 'Pricing' }, ...extra } });
}

beforeAll(async () => {
  admin = await db();
});
afterAll(async () => {
  await admin.end();
});

describe('widget-config', () => {
  it('returns the public settings to an allowed origin, with CORS for that origin only', async () => {
    const res = await call('widget-config', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.body).toMatchObject({ key: KEY, companyName: 'Acme', position: 'bottom-right', prechat: { name: 'required', email: 'optional', phone: 'off' } });
    expect(res.body).not.toHaveProperty('allowed_origins');
  });

  it('shows saved settings on the very next request (an admin saves, the page reloads)', async () => {
    const before = await call('widget-config', { token: null });
    expect(before.status).toBe(200);
    await admin.query(`update public.widget_configs set greeting = 'Fresh greeting' where widget_key = $1`, [KEY]);
    try {
      expect((await call('widget-config', { token: null })).body.greeting).toBe('Fresh greeting');
    } finally {
      await admin.query(`update public.widget_configs set greeting = $2 where widget_key = $1`, [KEY, before.body.greeting]);
    }
  });

  it('lets the browser reuse the settings for 5 minutes and the preflight for 2 hours, per origin', async () => {
    // Each page view of a returning visitor would otherwise cost two invocations (preflight + GET).
    const res = await call('widget-config', { token: null });
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    expect(res.headers.get('vary')).toContain('Origin');
    const preflight = await call('widget-config', { method: 'OPTIONS', token: null });
    expect(preflight.headers.get('access-control-max-age')).toBe('7200');
  });

  it('answers the CORS preflight for an allowed origin and refuses it for another', async () => {
    const ok = await call('widget-config', { method: 'OPTIONS', token: null });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const bad = await call('widget-session', { method: 'OPTIONS', token: null, origin: 'https://evil.example' });
    expect(bad.status).toBe(404);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers the preflight of the JWT-protected functions without a JWT, for an allowed origin', async () => {
    for (const fn of ['widget-session', 'widget-messages']) {
      const res = await call(fn, { method: 'OPTIONS', token: null, headers: { 'Access-Control-Request-Method': 'POST' } });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    }
  });

  it('refuses a page on an origin that is not allowed with the same 404 as an unknown widget', async () => {
    const res = await call('widget-config', { token: null, origin: 'https://evil.example' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 'widget_not_found', message: 'This chat widget does not exist, is switched off, or is not allowed on this website.' });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 404 widget_not_found for an unknown or disabled widget, 400 for a malformed key', async () => {
    expect((await call('widget-config', { token: null, query: { key: 'pk_does_not_exist' } })).body.code).toBe('widget_not_found');
    // A switched-off widget of its own: the suites share one stack, and switching a seeded one off fails others.
    const key = `pk_off_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    await createCompany(admin, { name: 'Switched off', widgetKey: key, widget: { enabled: false, allowed_origins: ['http://127.0.0.1:3002'] } });
    const res = await call('widget-config', { token: null, query: { key }, origin: 'http://127.0.0.1:3002' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('widget_not_found');
    const bad = await call('widget-config', { token: null, query: { key: '<script>' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_request');
  });
});

describe('widget-session', () => {
  it('creates visitor, conversation and first message in one go, and returns the same conversation when repeated', async () => {
    const token = await visitor();
    const first = await session(token, { email: 'vera@example.com', firstMessage: { id: randomUUID(), body: 'Hello!' } });
    expect(first.status).toBe(201);
    expect(first.body.conversation).toMatchObject({ status: 'open' });
    expect(first.body.visitor).toMatchObject({ name: 'Vera Visitor', email: 'vera@example.com' });
    expect(first.body.messages.map((m: { body: string }) => m.body)).toEqual(['Hello!']);
    const again = await session(token);
    expect(again.status).toBe(200);
    expect(again.body.conversation.id).toBe(first.body.conversation.id);
    const { rows } = await admin.query('select last_page_url, last_page_title from public.visitors where id = $1', [first.body.visitor.id]);
    expect(rows[0]).toEqual({ last_page_url: `${ORIGIN}/pricing`, last_page_title: 'Pricing' });
  });

  it('refuses a missing required pre-chat field with 422 missing_field', async () => {
    const res = await call('widget-session', { token: await visitor(), body: { email: 'a@example.com' } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 'missing_field', message: 'Please enter your name.', field: 'name' });
  });

  it('refuses invalid fields with 400 invalid_request and malformed JSON with 400 invalid_json', async () => {
    const res = await call('widget-session', { token: await visitor(), body: { name: 'X', email: 'not-an-email', firstMessage: { id: 'nope', body: '' } } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_request');
    expect(res.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['email', 'firstMessage.body', 'firstMessage.id']);
    const json = await call('widget-session', { token: await visitor(), rawBody: '{"name":' });
    expect(json.status).toBe(400);
    expect(json.body.code).toBe('invalid_json');
  });

  it('refuses a request without a visitor JWT: 401 from the gateway (verify_jwt) or from the function for a non-user token', async () => {
    const none = await call('widget-session', { token: null, body: { name: 'X' } });
    expect(none.status).toBe(401);
    const anonKey = await call('widget-session', { token: stack().anonKey, body: { name: 'X' } });
    expect(anonKey.status).toBe(401);
    expect(anonKey.body).toEqual({ code: 'unauthorized', message: 'The access token is invalid or expired.' });
  });

  it('refuses a signed-in visitor on another origin, and an unknown widget, before touching any data', async () => {
    const token = await visitor();
    const evil = await call('widget-session', { token, origin: 'https://evil.example', body: { name: 'Eve' } });
    expect(evil.status).toBe(404);
    expect(evil.body).toEqual({ code: 'widget_not_found', message: 'This chat widget does not exist, is switched off, or is not allowed on this website.' });
    const unknown = await call('widget-messages', { token, query: { key: 'pk_no_such_widget', conversationId: randomUUID() } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ code: 'widget_not_found', message: 'This chat widget does not exist, is switched off, or is not allowed on this website.' });
    const { data } = await client().auth.getUser(token);
    const { rows } = await admin.query('select count(*)::int as n from public.visitors where user_id = $1', [data.user!.id]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses a body over 32 KB with 413 payload_too_large', async () => {
    const res = await call('widget-session', { token: await visitor(), rawBody: JSON.stringify({ name: 'x'.repeat(40_000) }) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
  });

  it('limits new conversations per address (60 an hour), and a forged X-Forwarded-For does not escape it', async () => {
    // All tests call from 127.0.0.1: fill that address's bucket directly, and empty it again afterwards.
    const su = await db('supabase_admin');
    try {
      await su.query(`insert into public.widget_rate_limit_hits (bucket) select 'conversation:ip:127.0.0.1' from generate_series(1, 60)`);
      const res = await call('widget-session', { token: await visitor(), body: { name: 'Fresh' }, headers: { 'X-Forwarded-For': '203.0.113.77' } });
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('rate_limited');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await su.query(`delete from public.widget_rate_limit_hits where bucket = 'conversation:ip:127.0.0.1'`);
      await su.end();
    }
  });

  it('limits new conversations per visitor (3 an hour) with 429 and Retry-After', async () => {
    const token = await visitor();
    const { data } = await client().auth.getUser(token);
    for (let i = 0; i < 3; i++) {
      const res = await session(token);
      expect(res.status).toBe(201);
      await admin.query(
        `update public.conversations set status = 'resolved' where id = $1`,
        [res.body.conversation.id],
      );
    }
    const res = await session(token);
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(data.user?.is_anonymous).toBe(true);
  });
});

describe('widget-messages', () => {
  async function started() {
    const token = await visitor();
    const s = await session(token);
    return { token, conversationId: s.body.conversation.id as string };
  }

  it('stores a message once however often the same id is sent', async () => {
    const { token, conversationId } = await started();
    const id = randomUUID();
    const first = await call('widget-messages', { token, body: { conversationId, id, body: 'Once' } });
    expect(first.status).toBe(201);
    expect(first.body.message).toMatchObject({ id, conversationId, senderKind: 'visitor', body: 'Once', authorName: 'Vera Visitor' });
    const replay = await call('widget-messages', { token, body: { conversationId, id, body: 'Once' } });
    expect(replay.status).toBe(200);
    expect(replay.body.message.id).toBe(id);
    const { rows } = await admin.query('select count(*)::int as n from public.messages where id = $1', [id]);
    expect(rows[0].n).toBe(1);
  });

  it('catches up after a cursor, oldest first, including agent replies', async () => {
    const { token, conversationId } = await started();
    const a = randomUUID();
    await call('widget-messages', { token, body: { conversationId, id: a, body: 'first' } });
    await call('widget-messages', { token, body: { conversationId, id: randomUUID(), body: 'second' } });
    const agent = await serviceClient()
      .from('messages')
      .insert({ id: randomUUID(), conversation_id: conversationId, sender_kind: 'agent', author_name: 'Sam (Acme)', body: 'reply' });
    expect(agent.error).toBeNull();
    const res = await call('widget-messages', { token, query: { conversationId, after: a } });
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: { body: string }) => m.body)).toEqual(['second', 'reply']);
    expect(res.body.hasMore).toBe(false);
  });

  it("refuses someone else's conversation with 404 conversation_not_found (send and history)", async () => {
    const owner = await started();
    const intruder = await visitor();
    const send = await call('widget-messages', { token: intruder, body: { conversationId: owner.conversationId, id: randomUUID(), body: 'hi' } });
    expect(send.status).toBe(404);
    expect(send.body.code).toBe('conversation_not_found');
    const read = await call('widget-messages', { token: intruder, query: { conversationId: owner.conversationId } });
    expect(read.status).toBe(404);
  });

  it('refuses an oversized message with 422 message_too_long and an empty one with 400', async () => {
    const { token, conversationId } = await started();
    const long = await call('widget-messages', { token, body: { conversationId, id: randomUUID(), body: 'x'.repeat(4001) } });
    expect(long.status).toBe(422);
    expect(long.body.code).toBe('message_too_long');
    const empty = await call('widget-messages', { token, body: { conversationId, id: randomUUID(), body: '   ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('invalid_request');
  });

  it('refuses a message id already used in another conversation with 409', async () => {
    const a = await started();
    const id = randomUUID();
    await call('widget-messages', { token: a.token, body: { conversationId: a.conversationId, id, body: 'mine' } });
    const b = await started();
    const res = await call('widget-messages', { token: b.token, body: { conversationId: b.conversationId, id, body: 'also mine?' } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('message_id_conflict');
  });

  it('answers a flood with 429 and Retry-After after 20 messages a minute', async () => {
    const { token, conversationId } = await started();
    const statuses: number[] = [];
    const ids = Array.from({ length: 22 }, () => randomUUID());
    let retryAfter: string | null = null;
    for (let i = 0; i < 22; i++) {
      const res = await call('widget-messages', { token, body: { conversationId, id: ids[i], body: `msg ${i}` } });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.slice(20)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const { rows } = await admin.query('select count(*)::int as n from public.messages where conversation_id = $1', [conversationId]);
    expect(rows[0].n).toBe(20);
    // A retry of a stored message is answered from the database even while limited: the widget's outbox drains.
    const replay = await call('widget-messages', { token, body: { conversationId, id: ids[0], body: 'msg 0' } });
    expect(replay.status).toBe(200);
    expect(replay.body.message.id).toBe(ids[0]);
  });
});
