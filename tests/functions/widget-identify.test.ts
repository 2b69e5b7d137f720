// widget-identify against the running stand-in (real Deno, real Postgres): a signed identify links browsers to one
// verified person and their history; a forged hash, another company's secret, a replay without hash and an
// unsigned call where verification is required each fail AND change nothing. Also widget-config's away state.
import { createHmac, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompany } from '../support/factories.ts';
import { client, db, stack } from '../support/stack.ts';

const ORIGIN = 'https://shop.example';
let admin: pg.Client;
let acme: { companyId: string; widgetKey: string };
let globex: { companyId: string; widgetKey: string };
const SECRET_X = 'a1'.repeat(32);
const SECRET_Y = 'b2'.repeat(32);
const sign = (secret: string, userId: string) => createHmac('sha256', secret).update(userId).digest('hex');

async function visitor() {
  const { data, error } = await client().auth.signInAnonymously();
  if (error) throw error;
  return { token: data.session!.access_token, userId: data.user!.id };
}

async function call(key: string, token: string, body: unknown, init: { method?: string; query?: string } = {}) {
  const res = await fetch(`${stack().apiUrl}/functions/v1/widget-identify?key=${key}${init.query ?? ''}`, {
    method: init.method ?? 'POST',
    headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, Origin: ORIGIN },
    body: init.method === 'GET' ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Everything identify could have changed, for before/after comparisons. */
async function snapshot() {
  const persons = await admin.query('select id, external_id, name, email from public.verified_visitors where company_id = any($1) order by id', [[acme.companyId, globex.companyId]]);
  const visitors = await admin.query('select id, user_id, name, email, verified_visitor_id from public.visitors where company_id = any($1) order by id', [[acme.companyId, globex.companyId]]);
  return { persons: persons.rows, visitors: visitors.rows };
}

beforeAll(async () => {
  admin = await db();
  acme = (await createCompany(admin, { name: 'Acme Identity', widget: { allowed_origins: [ORIGIN] } })) as typeof acme;
  globex = (await createCompany(admin, { name: 'Globex Identity', widget: { allowed_origins: [ORIGIN] } })) as typeof globex;
  await admin.query('insert into public.widget_identity_secrets (company_id, secret) values ($1, $2), ($3, $4)', [acme.companyId, SECRET_X, globex.companyId, SECRET_Y]);
});
afterAll(async () => {
  await admin.end();
});

describe('widget-identify', () => {
  it('links two browsers signed as the same user to one person, and each sees the other\'s conversations', async () => {
    const laptop = await visitor();
    const phone = await visitor();
    const userId = `user-${randomUUID()}`;
    const first = await call(acme.widgetKey, laptop.token, { userId, userHash: sign(SECRET_X, userId), name: 'Vera', email: 'vera@example.com' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ verified: true, visitor: { name: 'Vera', email: 'vera@example.com' }, conversations: [] });
    const started = await fetch(`${stack().apiUrl}/functions/v1/widget-session?key=${acme.widgetKey}`, {
      method: 'POST',
      headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', Authorization: `Bearer ${laptop.token}`, Origin: ORIGIN },
      body: JSON.stringify({ name: 'Not Vera', firstMessage: { id: randomUUID(), body: 'From the laptop' } }),
    }).then((r) => r.json());
    const second = await call(acme.widgetKey, phone.token, { userId, userHash: sign(SECRET_X, userId).toUpperCase() });
    expect(second.body).toMatchObject({ verified: true, visitor: { name: 'Vera', email: 'vera@example.com' } });
    expect(second.body.conversations.map((c: { id: string }) => c.id)).toEqual([started.conversation.id]);
    const read = await call(acme.widgetKey, phone.token, null, { method: 'GET', query: `&conversationId=${started.conversation.id}` });
    expect(read.status).toBe(200);
    expect(read.body.messages.map((m: { body: string }) => m.body)).toEqual(['From the laptop']);
    // The pre-chat name the laptop sent did not replace the verified one.
    const rows = (await admin.query('select name from public.visitors where user_id = any($1)', [[laptop.userId, phone.userId]])).rows;
    expect(rows).toEqual([{ name: 'Vera' }, { name: 'Vera' }]);
  });

  it('refuses a forged userHash, another company\'s secret and a replay without hash, changing nothing', async () => {
    const owner = await visitor();
    const userId = `user-${randomUUID()}`;
    expect((await call(acme.widgetKey, owner.token, { userId, userHash: sign(SECRET_X, userId), name: 'Owner', email: 'owner@example.com' })).status).toBe(200);
    const attacker = await visitor();
    // An attacker's own visitor row exists, unverified.
    await call(acme.widgetKey, attacker.token, { name: 'Attacker' });
    const before = await snapshot();

    const forged = await call(acme.widgetKey, attacker.token, { userId, userHash: sign('f'.repeat(64), userId), name: 'Mallory', email: 'm@evil.example' });
    expect([forged.status, forged.body.code]).toEqual([403, 'identity_invalid']);
    const foreign = await call(acme.widgetKey, attacker.token, { userId, userHash: sign(SECRET_Y, userId), name: 'Mallory' });
    expect([foreign.status, foreign.body.code]).toEqual([403, 'identity_invalid']);
    const otherUsersHash = await call(acme.widgetKey, attacker.token, { userId, userHash: sign(SECRET_X, `${userId}x`) });
    expect(otherUsersHash.status).toBe(403);
    const replay = await call(acme.widgetKey, attacker.token, { userId, name: 'Mallory', email: 'm@evil.example' });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ verified: false, conversations: [] });
    const malformed = await call(acme.widgetKey, attacker.token, { userId, userHash: 'not-hex' });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'invalid_request']);

    const after = await snapshot();
    expect(after.persons).toEqual(before.persons);
    const attackerRow = after.visitors.find((v) => v.user_id === attacker.userId);
    // The replay may name the attacker's own unverified row, never link it nor touch the owner's.
    expect(attackerRow.verified_visitor_id).toBeNull();
    expect(after.visitors.filter((v) => v.user_id !== attacker.userId)).toEqual(before.visitors.filter((v) => v.user_id !== attacker.userId));
    // Nor may the attacker read the owner's conversations.
    const theirs = (await admin.query('select c.id from public.conversations c join public.visitors v on v.id = c.visitor_id where v.user_id = $1', [owner.userId])).rows;
    for (const c of theirs) {
      expect((await call(acme.widgetKey, attacker.token, null, { method: 'GET', query: `&conversationId=${c.id}` })).status).toBe(404);
    }
  });

  it('with verification required, refuses an unsigned identify with a 403 {code, message} and stores nothing', async () => {
    await admin.query('update public.widget_configs set require_verification = true where company_id = $1', [globex.companyId]);
    const v = await visitor();
    const before = await snapshot();
    const res = await call(globex.widgetKey, v.token, { userId: 'user-1', name: 'Unsigned', email: 'u@example.com' });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'identity_verification_required', message: expect.stringContaining('userHash') });
    expect(await snapshot()).toEqual(before);
    const signed = await call(globex.widgetKey, v.token, { userId: 'user-1', userHash: sign(SECRET_Y, 'user-1') });
    expect(signed.body.verified).toBe(true);
  });

  it('a browser verified as one user is refused as another (a shared computer keeps histories apart)', async () => {
    const v = await visitor();
    await call(acme.widgetKey, v.token, { userId: 'alice-1', userHash: sign(SECRET_X, 'alice-1') });
    const before = await snapshot();
    const bob = await call(acme.widgetKey, v.token, { userId: 'bob-1', userHash: sign(SECRET_X, 'bob-1') });
    expect([bob.status, bob.body.code]).toEqual([409, 'identity_conflict']);
    expect(await snapshot()).toEqual(before);
  });

  it('widget-config tells the widget whether the company is within its office hours, and the away mode', async () => {
    await admin.query(`insert into public.office_hours (company_id, enabled, time_zone, weekly, away_mode, away_message) values ($1, true, 'UTC', '[]', 'form', 'Back Monday')`, [acme.companyId]);
    const res = await fetch(`${stack().apiUrl}/functions/v1/widget-config?key=${acme.widgetKey}`, { headers: { Origin: ORIGIN } }).then((r) => r.json());
    expect(res.away).toEqual({ open: false, mode: 'form', message: 'Back Monday' });
    expect(res.requireVerification).toBe(false);
  });
});
