// Attacks on the widget's Edge Functions through the real door (HTTP to real Deno, real anonymous tokens, real
// Postgres): each asserts the refusal and that nothing changed in the database (issue 14, findings 4-7 and 12).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompany } from '../support/factories.ts';
import { client, db, serviceClient, stack } from '../support/stack.ts';

const ACME_ORIGIN = 'http://127.0.0.1:3001';
const GLOBEX_ORIGIN = 'http://127.0.0.1:3002';
const GONE = { code: 'widget_not_found', message: 'This chat widget does not exist, is switched off, or is not allowed on this website.' };
let admin: pg.Client;
let su: pg.Client;

interface Call {
  key?: string;
  method?: string;
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  query?: Record<string, string>;
  origin?: string | null;
  headers?: Record<string, string>;
  /** A loopback source address of the test's own (127.0.0.x), so per-address limits can be filled without slowing other tests. */
  from?: string;
}

/** One request to a function, over node:http so the source address can be chosen. */
async function call(fn: string, opts: Call = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  const url = new URL(`${stack().apiUrl}/functions/v1/${fn}`);
  url.searchParams.set('key', opts.key ?? 'pk_demo_acme');
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { apikey: stack().anonKey, 'Content-Type': 'application/json', ...opts.headers };
  if (opts.origin !== null) headers.Origin = opts.origin ?? ACME_ORIGIN;
  if (opts.token !== null) headers.Authorization = `Bearer ${opts.token ?? stack().anonKey}`;
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? (payload === undefined ? 'GET' : 'POST'), headers, localAddress: opts.from },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : null }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function visitor(): Promise<{ token: string; userId: string }> {
  const { data, error } = await client().auth.signInAnonymously();
  if (error) throw error;
  return { token: data.session!.access_token, userId: data.user!.id };
}

// From an address of its own: the suites share one stack, and 127.0.0.1 has a per-address conversation limit.
async function started(key = 'pk_demo_acme', origin = ACME_ORIGIN, from = ownAddress()) {
  const v = await visitor();
  const res = await call('widget-session', { key, origin, from, token: v.token, body: { name: 'Vera Visitor', firstMessage: { id: randomUUID(), body: 'hello' } } });
  expect(res.status).toBe(201);
  return { ...v, conversationId: res.body.conversation.id as string, visitorId: res.body.visitor.id as string };
}

const count = async (sql: string, params: unknown[]) => (await admin.query(sql, params)).rows[0].n as number;
const messagesIn = (conversationId: string) => count('select count(*)::int as n from public.messages where conversation_id = $1', [conversationId]);
const hitsOf = (userId: string) => count('select count(*)::int as n from public.widget_rate_limit_hits where bucket like $1', [`%:visitor:${userId}`]);

/** A company of the test's own with an enabled widget, so switching it off disturbs no other test. */
async function ownCompany() {
  const company = randomUUID();
  const key = `pk_sec_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const origin = `http://127.0.0.1:${40_000 + Math.floor(Math.random() * 10_000)}`;
  await createCompany(admin, { id: company, name: 'Initech', widgetKey: key, widget: { allowed_origins: [origin], prechat_name: 'optional' } });
  return { company, key, origin };
}

/** A loopback address of this file's own range (127.77.x.y), a different one per call: a bucket nobody else fills. */
let nextAddress = Math.floor(Math.random() * 60_000);
const ownAddress = () => `127.77.${Math.floor(nextAddress / 250) % 250}.${(nextAddress++ % 250) + 2}`;

beforeAll(async () => {
  admin = await db();
  su = await db('supabase_admin');
});
afterAll(async () => {
  await admin.end();
  await su.end();
});

describe('every visitor call is bound to the widget whose key and origin let it in', () => {
  it("refuses another company's conversation through a different widget key with the unknown-conversation answer, writing nothing", async () => {
    const acme = await started();
    const before = await messagesIn(acme.conversationId);
    const send = await call('widget-messages', {
      key: 'pk_demo_globex',
      origin: GLOBEX_ORIGIN,
      token: acme.token,
      body: { conversationId: acme.conversationId, id: randomUUID(), body: 'through Globex' },
    });
    expect(send.status).toBe(404);
    expect(send.body).toEqual({ code: 'conversation_not_found', message: 'This conversation does not exist or is not yours.' });
    const read = await call('widget-messages', { key: 'pk_demo_globex', origin: GLOBEX_ORIGIN, token: acme.token, query: { conversationId: acme.conversationId } });
    expect(read.status).toBe(404);
    expect(read.body.code).toBe('conversation_not_found');
    expect(read.body).not.toHaveProperty('messages');
    expect(await messagesIn(acme.conversationId)).toBe(before);
  });

  it("keeps a suspended company's visitor out through its own key and through another company's", async () => {
    const own = await ownCompany();
    const v = await started(own.key, own.origin);
    await admin.query('update public.companies set enabled = false where id = $1', [own.company]);
    for (const [key, origin] of [
      [own.key, own.origin],
      ['pk_demo_globex', GLOBEX_ORIGIN],
    ] as const) {
      const send = await call('widget-messages', { key, origin, token: v.token, body: { conversationId: v.conversationId, id: randomUUID(), body: 'still here?' } });
      expect(send.status).toBe(404);
      const read = await call('widget-messages', { key, origin, token: v.token, query: { conversationId: v.conversationId } });
      expect(read.status).toBe(404);
    }
    const session = await call('widget-session', { key: own.key, origin: own.origin, token: v.token, body: { firstMessage: { id: randomUUID(), body: 'again' } } });
    expect(session.status).toBe(404);
    expect(await messagesIn(v.conversationId)).toBe(1);
    expect(await count('select count(*)::int as n from public.conversations where company_id = $1', [own.company])).toBe(1);
  });

  it('refuses at once a widget switched off or an origin removed, though the function still has the widget cached', async () => {
    const own = await ownCompany();
    const v = await started(own.key, own.origin);
    // widget-messages caches the widget now (each function has its own cache); the database must be the one that says no.
    const warm = await call('widget-messages', { key: own.key, origin: own.origin, token: v.token, query: { conversationId: v.conversationId } });
    expect(warm.status).toBe(200);
    await admin.query('update public.widget_configs set enabled = false where company_id = $1', [own.company]);
    const off = await call('widget-messages', { key: own.key, origin: own.origin, token: v.token, body: { conversationId: v.conversationId, id: randomUUID(), body: 'x' } });
    expect(off.status).toBe(404);
    expect(off.body).toEqual(GONE);
    await admin.query(`update public.widget_configs set enabled = true, allowed_origins = '{}' where company_id = $1`, [own.company]);
    const removed = await call('widget-messages', { key: own.key, origin: own.origin, token: v.token, query: { conversationId: v.conversationId } });
    expect(removed.status).toBe(404);
    expect(removed.body).toEqual(GONE);
    expect(await messagesIn(v.conversationId)).toBe(1);
  });

  it('answers an unknown key, a switched-off widget and a disallowed origin alike (no telling which keys exist)', async () => {
    const own = await ownCompany();
    await admin.query('update public.widget_configs set enabled = false where company_id = $1', [own.company]);
    const v = await visitor();
    const answers = [
      await call('widget-config', { token: null, key: 'pk_no_such_widget_at_all' }),
      await call('widget-config', { token: null, key: own.key, origin: own.origin }),
      await call('widget-config', { token: null, origin: 'https://evil.example' }),
      await call('widget-session', { token: v.token, origin: 'https://evil.example', body: { name: 'Eve' } }),
      await call('widget-messages', { token: v.token, key: 'pk_no_such_widget_at_all', query: { conversationId: randomUUID() } }),
      await call('widget-session', { method: 'OPTIONS', token: null, origin: 'https://evil.example' }),
      await call('widget-session', { method: 'OPTIONS', token: null, key: 'pk_no_such_widget_at_all' }),
    ];
    for (const a of answers) {
      expect(a.status).toBe(404);
      expect(a.body).toEqual(GONE);
      expect(a.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(await count('select count(*)::int as n from public.visitors where user_id = $1', [v.userId])).toBe(0);
  });
});

describe('a refused widget-session writes nothing', () => {
  it('refuses a first message whose id another message has with 409, leaving no visitor, conversation or rate-limit hit', async () => {
    const other = await started();
    const [taken] = (await admin.query('select id from public.messages where conversation_id = $1', [other.conversationId])).rows;
    const v = await visitor();
    const res = await call('widget-session', { token: v.token, body: { name: 'Mallory', firstMessage: { id: taken.id, body: 'collide' } } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('message_id_conflict');
    expect(await count('select count(*)::int as n from public.visitors where user_id = $1', [v.userId])).toBe(0);
    expect(await count('select count(*)::int as n from public.conversations c join public.visitors x on x.id = c.visitor_id where x.user_id = $1', [v.userId])).toBe(0);
    expect(await hitsOf(v.userId)).toBe(0);
    expect((await admin.query('select body from public.messages where id = $1', [taken.id])).rows).toEqual([{ body: 'hello' }]);
  });

  it('answers a retried first message with the stored one, without a second row or another rate-limit hit', async () => {
    const v = await visitor();
    const first = { id: randomUUID(), body: 'only once' };
    const a = await call('widget-session', { token: v.token, body: { name: 'Rita', firstMessage: first } });
    expect(a.status).toBe(201);
    const hits = await hitsOf(v.userId);
    const b = await call('widget-session', { token: v.token, body: { name: 'Rita', firstMessage: first } });
    expect(b.status).toBe(200);
    expect(b.body.messages.map((m: { id: string }) => m.id)).toEqual([first.id]);
    expect(await hitsOf(v.userId)).toBe(hits);
  });
});

describe('one message limit on every path that stores a message', () => {
  it('applies the per-address message cap to widget-session with a resumed conversation and a first message', async () => {
    const from = ownAddress();
    const v = await visitor();
    const s = await call('widget-session', { from, token: v.token, body: { name: 'Flo' } });
    expect(s.status).toBe(201);
    // This address already stored 300 messages this minute (the per-address cap); a forged X-Forwarded-For
    // first hop must not open a fresh bucket.
    await su.query(`insert into public.widget_rate_limit_hits (bucket) select $1 from generate_series(1, 300)`, [`message:ip:${from}`]);
    try {
      const id = randomUUID();
      const res = await call('widget-session', { from, token: v.token, headers: { 'X-Forwarded-For': '203.0.113.9' }, body: { name: 'Flo', firstMessage: { id, body: 'one more' } } });
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(await count('select count(*)::int as n from public.messages where id = $1', [id])).toBe(0);
      const send = await call('widget-messages', { from, token: v.token, body: { conversationId: s.body.conversation.id, id: randomUUID(), body: 'and another' } });
      expect(send.status).toBe(429);
      expect(await messagesIn(s.body.conversation.id)).toBe(0);
    } finally {
      await su.query('delete from public.widget_rate_limit_hits where bucket = $1', [`message:ip:${from}`]);
    }
  });

  it('leaves no rate-limit hit behind for a message refused by the per-address cap', async () => {
    const from = ownAddress();
    const v = await started();
    await su.query(`insert into public.widget_rate_limit_hits (bucket) select $1 from generate_series(1, 300)`, [`message:ip:${from}`]);
    try {
      const hits = await hitsOf(v.userId);
      const res = await call('widget-messages', { from, token: v.token, body: { conversationId: v.conversationId, id: randomUUID(), body: 'refused' } });
      expect(res.status).toBe(429);
      expect(await hitsOf(v.userId)).toBe(hits);
    } finally {
      await su.query('delete from public.widget_rate_limit_hits where bucket = $1', [`message:ip:${from}`]);
    }
  });
});

describe('bad input is a 4xx, never a 5xx', () => {
  it('refuses control characters and lone surrogates in any field with 400 invalid_characters naming the fields, storing nothing', async () => {
    const v = await visitor();
    const res = await call('widget-session', {
      token: v.token,
      body: { name: 'A\u0000B', email: 'a\u0001@example.com', page: { url: 'http://x/\u001f', title: 'T\u007f' }, locale: 'en\ud800', firstMessage: { id: randomUUID(), body: 'hi\u0000' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_characters');
    expect(typeof res.body.message).toBe('string');
    expect(res.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['email', 'firstMessage.body', 'locale', 'name', 'page.title', 'page.url']);
    expect(await count('select count(*)::int as n from public.visitors where user_id = $1', [v.userId])).toBe(0);

    const s = await started();
    for (const body of ['nul \u0000 inside', 'bell \u0007', 'lone \udc00 low', 'lone high \ud83d']) {
      const send = await call('widget-messages', { token: s.token, body: { conversationId: s.conversationId, id: randomUUID(), body } });
      expect(send.status).toBe(400);
      expect(send.body.code).toBe('invalid_characters');
    }
    expect(await messagesIn(s.conversationId)).toBe(1);
  });

  it('has the database itself refuse control characters from any writer, with a 4xx through REST', async () => {
    const s = await started();
    const id = randomUUID();
    const res = await serviceClient().from('messages').insert({ id, conversation_id: s.conversationId, sender_kind: 'visitor', author_id: s.userId, body: 'bell \u0007' });
    expect(res.error?.code).toBe('23514');
    expect(res.status).toBe(400);
    const name = await serviceClient().from('visitors').update({ name: 'Eve\u001b[31m' }).eq('id', s.visitorId);
    expect(name.error?.code).toBe('23514');
    expect(await count('select count(*)::int as n from public.messages where id = $1', [id])).toBe(0);
    expect((await admin.query('select name from public.visitors where id = $1', [s.visitorId])).rows).toEqual([{ name: 'Vera Visitor' }]);
  });

  it('stores tabs and line breaks in a message, a carriage return as a line break', async () => {
    const s = await started();
    const send = await call('widget-messages', { token: s.token, body: { conversationId: s.conversationId, id: randomUUID(), body: 'a\tb\r\nc\rd\ne 😀' } });
    expect(send.status).toBe(201);
    expect(send.body.message.body).toBe('a\tb\nc\nd\ne 😀');
  });

  it('answers a valid token whose user no longer exists with a 4xx, not a database error', async () => {
    const v = await visitor();
    await admin.query('delete from auth.users where id = $1', [v.userId]);
    const res = await call('widget-session', { token: v.token, body: { name: 'Ghost' } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('answers an endless request body with 413 once it passes the limit, without waiting for its end', async () => {
    const v = await visitor();
    const url = new URL(`${stack().apiUrl}/functions/v1/widget-session?key=pk_demo_acme`);
    const res = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request(url, {
        method: 'POST',
        headers: { apikey: stack().anonKey, Authorization: `Bearer ${v.token}`, Origin: ACME_ORIGIN, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      });
      // Never ends: only a function that stops reading at the cap can answer.
      const chunk = `{"name":"${'x'.repeat(8_000)}`;
      let open = true;
      const pump = () => {
        while (open && req.write(chunk)) {}
        if (open) req.once('drain', pump);
      };
      req.on('response', (r) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c) => (text += c));
        r.on('end', () => {
          open = false;
          req.destroy();
          resolve({ status: r.statusCode ?? 0, body: JSON.parse(text) });
        });
      });
      req.on('error', (err) => (open ? reject(err) : undefined));
      pump();
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
  });
});
