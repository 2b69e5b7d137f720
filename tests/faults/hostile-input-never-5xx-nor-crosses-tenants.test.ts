// Fuzzing the widget's Edge Functions and the REST gateway with malformed, oversized and hostile inputs
// (seeded, so a failure reproduces): never a 5xx, nothing stored from garbage, nothing read across tenants.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../../local-supabase/jwt.ts';
import { client, db, stack } from '../support/stack.ts';
import { recordFaults } from './report.ts';

const ORIGIN = 'http://127.0.0.1:3001';

/** Small seeded PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  "'; drop table public.messages; --",
  '" or 1=1 --',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '\u0000\u0001\u0002',
  '😀'.repeat(50),
  '%00%27%22',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell-style payload, on purpose
  '${jndi:ldap://x}',
  'null',
  'undefined',
  '[]',
  '{}',
  ' ',
  '',
  'x'.repeat(70_000),
];

function value(r: () => number, uuids: string[]): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  switch (Math.floor(r() * 10)) {
    case 0:
      return pick(HOSTILE);
    case 1:
      return Math.floor(r() * 2 ** 40) * (r() < 0.5 ? -1 : 1);
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return [pick(HOSTILE), 1, null];
    case 5:
      return { nested: pick(HOSTILE), deeper: { x: [1, 2, { y: pick(HOSTILE) }] } };
    case 6:
      return pick(uuids);
    case 7:
      return randomUUID();
    case 8:
      return 1.5e308;
    default:
      return 'a'.repeat(Math.floor(r() * 6000));
  }
}

function body(r: () => number, uuids: string[]): string {
  const keys = ['conversationId', 'id', 'body', 'name', 'email', 'phone', 'firstMessage', 'page', 'locale', 'widgetKey', '__proto__', 'constructor'];
  const obj: Record<string, unknown> = {};
  for (const k of keys) if (r() < 0.5) obj[k] = value(r, uuids);
  if (r() < 0.1) return JSON.stringify(obj).slice(0, Math.floor(r() * 40)); // truncated JSON
  if (r() < 0.05) return JSON.stringify([obj]);
  if (r() < 0.03) return 'not json at all';
  return JSON.stringify(obj);
}

let admin: pg.Client;
let victim: { token: string; conversationId: string; messageIds: string[] };
let attacker: { token: string; conversationId: string; messageIds: string[] };

async function startVisitor(first: string) {
  const s = await client().auth.signInAnonymously();
  const token = s.data.session!.access_token;
  const res = await fetch(`${stack().apiUrl}/functions/v1/widget-session?key=pk_demo_acme`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Origin: ORIGIN },
    body: JSON.stringify({ name: 'Fuzz', firstMessage: { id: randomUUID(), body: first } }),
  });
  const json = await res.json();
  if (!json.conversation) throw new Error(`widget-session failed: ${res.status} ${JSON.stringify(json)}`);
  return { token, conversationId: json.conversation.id as string, messageIds: (json.messages as { id: string }[]).map((m) => m.id) };
}

beforeAll(async () => {
  admin = await db();
  victim = await startVisitor('a private message of the victim');
  attacker = await startVisitor('attacker here');
});
afterAll(async () => {
  await admin.end();
});

describe('fuzzing the widget functions', () => {
  it('answers 2,000 hostile requests without a 5xx, stores nothing from them, and never leaks another visitor\'s messages', async () => {
    const r = rng(20261124);
    const started = (await admin.query('select now() as t')).rows[0].t;
    const now = Math.floor(Date.now() / 1000);
    const forged = await signJwt('not-the-project-secret-but-long-enough-1234', { sub: randomUUID(), role: 'authenticated', exp: now + 600 });
    const expired = await signJwt(stack().jwtSecret, { sub: randomUUID(), role: 'authenticated', exp: now - 60 });
    const tokens = [attacker.token, forged, expired, stack().anonKey, 'garbage', ''];
    const fns = ['widget-session', 'widget-messages', 'widget-config'];
    const statuses = new Map<number, number>();
    const leaks: string[] = [];
    const batch = async (i: number) => {
      const fn = fns[i % fns.length]!;
      const token = tokens[Math.floor(r() * tokens.length)]!;
      const q = new URLSearchParams();
      q.set('key', r() < 0.8 ? 'pk_demo_acme' : String(value(r, [])).slice(0, 100));
      if (r() < 0.5) q.set('conversationId', String(value(r, [victim.conversationId, attacker.conversationId])).slice(0, 200));
      if (r() < 0.3) q.set('after', String(value(r, victim.messageIds)).slice(0, 200));
      if (r() < 0.3) q.set('limit', String(value(r, [])).slice(0, 50));
      const method = r() < 0.6 ? 'POST' : r() < 0.5 ? 'GET' : ['PUT', 'DELETE', 'PATCH', 'OPTIONS'][Math.floor(r() * 4)]!;
      const headers: Record<string, string> = { 'Content-Type': r() < 0.9 ? 'application/json' : 'text/plain', Origin: r() < 0.85 ? ORIGIN : 'https://evil.example' };
      if (token) headers.Authorization = `Bearer ${token}`;
      const res = await fetch(`${stack().apiUrl}/functions/v1/${fn}?${q}`, {
        method,
        headers,
        body: method === 'GET' || method === 'OPTIONS' ? undefined : body(r, [victim.conversationId, ...victim.messageIds]),
      });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (text.includes('a private message of the victim')) leaks.push(`${fn} ${res.status}`);
      if (res.status >= 500) leaks.push(`5xx: ${fn} ${method} ${res.status} ${text.slice(0, 200)}`);
      return res.status;
    };
    for (let i = 0; i < 2000; i += 20) await Promise.all(Array.from({ length: 20 }, (_, k) => batch(i + k)));
    expect(leaks).toEqual([]);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    // The attacker's is the only valid visitor token: anything stored must be in the attacker's own conversation.
    // (Scoped to the attacker's identity: other test files write messages into the same database meanwhile.)
    const attackerId = JSON.parse(Buffer.from(attacker.token.split('.')[1]!, 'base64url').toString()).sub;
    const elsewhere = await admin.query(
      'select count(*)::int as n from public.messages where created_at >= $1 and conversation_id <> $2 and (author_id = $3 or conversation_id = $4)',
      [started, attacker.conversationId, attackerId, victim.conversationId],
    );
    expect(elsewhere.rows[0].n).toBe(0);
    expect((await admin.query('select count(*)::int as n from public.messages where conversation_id = $1', [victim.conversationId])).rows[0].n).toBe(1);
    recordFaults('fuzz-functions', { inputsTried: 2000 });
  }, 180_000);
});

describe('control characters in every string field of every widget endpoint', () => {
  const BAD = { nul: '\u0000', soh: '\u0001', us: '\u001f', del: '\u007f', 'lone high surrogate': '\ud800', 'lone low surrogate': '\udfff' };
  /** Sets `value` at a dotted path of a copy of `base`. */
  const withField = (base: Record<string, unknown>, path: string, value: string) => {
    const copy = structuredClone(base);
    const keys = path.split('.');
    let at = copy as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
    at[keys.at(-1)!] = value;
    return copy;
  };

  it('answers each with a 4xx {code, message}, never a 5xx, and stores nothing', async () => {
    const s = await client().auth.signInAnonymously();
    const fresh = { token: s.data.session!.access_token, id: s.data.user!.id };
    const sessionBase = {
      name: 'Fuzz',
      email: 'fuzz@example.com',
      phone: '+1 555 0100',
      firstMessage: { id: randomUUID(), body: 'hello' },
      page: { url: `${ORIGIN}/pricing`, title: 'Pricing' },
      locale: 'en-US',
      widgetKey: 'pk_demo_acme',
    };
    const sendBase = { conversationId: attacker.conversationId, id: randomUUID(), body: 'hello', page: { url: `${ORIGIN}/x` } };
    const historyBase = { conversationId: attacker.conversationId, after: attacker.messageIds[0]!, limit: '10' };
    type Case = { fn: string; method: string; token: string | null; query: Record<string, string>; body?: unknown; label: string };
    const cases: Case[] = [];
    for (const [name, bad] of Object.entries(BAD)) {
      const mid = (v: string) => `a${bad}b${v}`;
      for (const field of ['name', 'email', 'phone', 'firstMessage.id', 'firstMessage.body', 'page.url', 'page.title', 'locale', 'widgetKey']) {
        cases.push({ fn: 'widget-session', method: 'POST', token: fresh.token, query: { key: 'pk_demo_acme' }, body: withField(sessionBase, field, mid('')), label: `session ${field} ${name}` });
      }
      for (const field of ['conversationId', 'id', 'body', 'page.url']) {
        cases.push({ fn: 'widget-messages', method: 'POST', token: attacker.token, query: { key: 'pk_demo_acme' }, body: withField(sendBase, field, mid('')), label: `send ${field} ${name}` });
      }
      for (const field of ['conversationId', 'after', 'limit']) {
        cases.push({ fn: 'widget-messages', method: 'GET', token: attacker.token, query: { key: 'pk_demo_acme', ...historyBase, [field]: mid('') }, label: `history ${field} ${name}` });
      }
      for (const fn of ['widget-config', 'widget-session', 'widget-messages']) {
        cases.push({ fn, method: fn === 'widget-config' ? 'GET' : 'POST', token: fn === 'widget-config' ? null : attacker.token, query: { key: `pk_demo${bad}acme` }, body: fn === 'widget-config' ? undefined : sendBase, label: `${fn} key ${name}` });
      }
    }
    const before = (await admin.query('select count(*)::int as n from public.messages where conversation_id = $1', [attacker.conversationId])).rows[0].n;
    const wrong: string[] = [];
    for (const c of cases) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json', Origin: ORIGIN, apikey: stack().anonKey };
      if (c.token) headers.Authorization = `Bearer ${c.token}`;
      const res = await fetch(`${stack().apiUrl}/functions/v1/${c.fn}?${new URLSearchParams(c.query)}`, {
        method: c.method,
        headers,
        body: c.body === undefined ? undefined : JSON.stringify(c.body),
      });
      const text = await res.text();
      let body: { code?: unknown; message?: unknown } = {};
      try {
        body = JSON.parse(text);
      } catch {}
      if (res.status < 400 || res.status >= 500 || typeof body.code !== 'string' || typeof body.message !== 'string') {
        wrong.push(`${c.label}: ${res.status} ${text.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect((await admin.query('select count(*)::int as n from public.visitors where user_id = $1', [fresh.id])).rows[0].n).toBe(0);
    expect((await admin.query('select count(*)::int as n from public.messages where conversation_id = $1', [attacker.conversationId])).rows[0].n).toBe(before);
    recordFaults('fuzz-control-characters', { inputsTried: cases.length });
  }, 180_000);
});

describe('fuzzing the REST gateway', () => {
  it('answers 1,500 malformed queries without a 5xx and never shows a visitor another visitor\'s rows', async () => {
    const r = rng(424242);
    const tables = ['messages', 'conversations', 'visitors', 'companies', 'company_members', 'widget_configs', 'nope', 'rpc/mark_conversation_read', 'rpc/widget_start_session'];
    const bits = ['*', 'id', 'body', 'x:body', 'body::text', 'data->>a', 'conversations(*)', 'visitors!inner(*)', '((', ')', ',', 'id.desc', '"q"', '..', '*,*'];
    const ops = ['eq', 'neq', 'gt', 'lt', 'like', 'ilike', 'is', 'in', 'cs', 'not.eq', 'bogus', 'or', ''];
    const failures: string[] = [];
    const request = async () => {
      const t = tables[Math.floor(r() * tables.length)]!;
      const q: string[] = [];
      if (r() < 0.7) q.push(`select=${encodeURIComponent(Array.from({ length: 1 + Math.floor(r() * 3) }, () => bits[Math.floor(r() * bits.length)]).join(','))}`);
      for (let i = 0; i < Math.floor(r() * 3); i++) {
        const col = ['id', 'body', 'conversation_id', 'company_id', 'status', 'nope', 'or', 'and'][Math.floor(r() * 8)];
        const op = ops[Math.floor(r() * ops.length)];
        q.push(`${col}=${encodeURIComponent(`${op}.${String(value(r, [victim.conversationId])).slice(0, 300)}`)}`);
      }
      if (r() < 0.3) q.push(`order=${encodeURIComponent(bits[Math.floor(r() * bits.length)]!)}`);
      if (r() < 0.3) q.push(`limit=${encodeURIComponent(String(value(r, [])).slice(0, 30))}`);
      const method = ['GET', 'GET', 'POST', 'PATCH', 'DELETE', 'HEAD'][Math.floor(r() * 6)]!;
      const res = await fetch(`${stack().apiUrl}/rest/v1/${t}?${q.join('&')}`, {
        method,
        headers: {
          apikey: stack().anonKey,
          Authorization: `Bearer ${r() < 0.7 ? attacker.token : stack().anonKey}`,
          'Content-Type': 'application/json',
          ...(r() < 0.2 ? { Prefer: 'return=representation,count=exact' } : {}),
        },
        body: method === 'GET' || method === 'HEAD' ? undefined : body(r, [victim.conversationId]),
      });
      const text = method === 'HEAD' ? '' : await res.text();
      if (res.status >= 500) failures.push(`${method} ${t}?${q.join('&').slice(0, 300)} → ${res.status} ${text.slice(0, 200)}`);
      if (text.includes('a private message of the victim')) failures.push(`leak: ${method} ${t}`);
    };
    for (let i = 0; i < 1500; i += 15) await Promise.all(Array.from({ length: 15 }, request));
    expect(failures).toEqual([]);
    expect((await admin.query('select count(*)::int as n from public.messages where conversation_id = $1', [victim.conversationId])).rows[0].n).toBe(1);
    recordFaults('fuzz-rest', { inputsTried: 1500 });
  }, 180_000);
});
