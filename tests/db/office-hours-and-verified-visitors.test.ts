// Issue 19's database side: office hours computed by one SQL rule with pinned clocks across Berlin's DST changes,
// and who may read or write office hours, identity secrets and verified visitors (every role).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { ACTORS, type Actor, attempt, becomeActor, createWorld, type World } from './fixtures.ts';

let c: pg.Client;
let w: World;

const WEEKDAYS_9_TO_17 = JSON.stringify([1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' })));
const SUNDAY_2_TO_4 = JSON.stringify([{ day: 7, opens: '02:00', closes: '04:00' }]);

beforeAll(async () => {
  c = await db();
  w = await createWorld(c);
  await c.query(`insert into public.office_hours (company_id, enabled, time_zone, weekly) values ($1, true, 'Europe/Berlin', $2)`, [w.companyX, WEEKDAYS_9_TO_17]);
  await c.query(`insert into public.verified_visitors (company_id, external_id, name) values ($1, 'cust-1', 'Vera')`, [w.companyX]);
  await c.query(`insert into public.widget_identity_secrets (company_id, secret) values ($1, repeat('a', 64))`, [w.companyX]);
});
afterAll(async () => {
  await c.end();
});

const openAt = async (at: string, weekly = WEEKDAYS_9_TO_17, closed: string[] = [], enabled = true) =>
  (await c.query('select public.office_hours_open_at($1, $2, $3::jsonb, $4::date[], $5::timestamptz) as open', [enabled, 'Europe/Berlin', weekly, closed, at])).rows[0].open as boolean;

describe('office hours: one rule, by the zone\'s wall clock', () => {
  it('is open at 09:00 Berlin time on both sides of the March DST change (UTC 08:00 before, 07:00 after)', async () => {
    // 2026-03-29 is the last Sunday of March: Berlin goes from UTC+1 to UTC+2.
    expect(await openAt('2026-03-27T08:00:00Z')).toBe(true); // Friday 09:00 CET
    expect(await openAt('2026-03-27T07:59:00Z')).toBe(false); // Friday 08:59 CET
    expect(await openAt('2026-03-30T07:00:00Z')).toBe(true); // Monday 09:00 CEST
    expect(await openAt('2026-03-30T06:59:00Z')).toBe(false); // Monday 08:59 CEST
    expect(await openAt('2026-03-30T15:00:00Z')).toBe(false); // Monday 17:00 CEST: closes at 17:00
  });

  it('follows the October change back (UTC 07:00 is 09:00 before, 08:00 after)', async () => {
    // 2026-10-25 is the last Sunday of October: Berlin goes from UTC+2 to UTC+1.
    expect(await openAt('2026-10-23T07:00:00Z')).toBe(true); // Friday 09:00 CEST
    expect(await openAt('2026-10-26T07:00:00Z')).toBe(false); // Monday 08:00 CET
    expect(await openAt('2026-10-26T08:00:00Z')).toBe(true); // Monday 09:00 CET
    expect(await openAt('2026-10-26T16:00:00Z')).toBe(false); // Monday 17:00 CET
  });

  it('counts the skipped and the repeated hour of the change nights by wall time', async () => {
    // March: 02:00-03:00 does not exist; 01:30 UTC is 03:30 CEST, inside 02:00-04:00.
    expect(await openAt('2026-03-29T00:30:00Z', SUNDAY_2_TO_4)).toBe(false); // 01:30 CET
    expect(await openAt('2026-03-29T01:30:00Z', SUNDAY_2_TO_4)).toBe(true); // 03:30 CEST
    expect(await openAt('2026-03-29T02:00:00Z', SUNDAY_2_TO_4)).toBe(false); // 04:00 CEST
    // October: 02:00-03:00 happens twice, both open; 03:00 CET (02:00 UTC) too.
    expect(await openAt('2026-10-25T00:30:00Z', SUNDAY_2_TO_4)).toBe(true); // 02:30 CEST
    expect(await openAt('2026-10-25T01:30:00Z', SUNDAY_2_TO_4)).toBe(true); // 02:30 CET
    expect(await openAt('2026-10-25T03:00:00Z', SUNDAY_2_TO_4)).toBe(false); // 04:00 CET
  });

  it('closes on a closed day, and is always open when hours are not enabled', async () => {
    expect(await openAt('2026-12-24T10:00:00Z', WEEKDAYS_9_TO_17, ['2026-12-24'])).toBe(false);
    expect(await openAt('2026-12-23T10:00:00Z', WEEKDAYS_9_TO_17, ['2026-12-24'])).toBe(true);
    expect(await openAt('2026-12-26T03:00:00Z', WEEKDAYS_9_TO_17, [], false)).toBe(true);
  });

  it('gives the widget the company\'s state; a company that never set hours gets none (no away state)', async () => {
    const state = async (company: string, at: string) => (await c.query('select public.widget_away_state($1, $2) as s', [company, at])).rows[0].s;
    expect(await state(w.companyX, '2026-03-28T10:00:00Z')).toEqual({ open: false, mode: 'message', message: '' }); // Saturday
    expect((await state(w.companyX, '2026-03-30T10:00:00Z')).open).toBe(true);
    expect(await state(w.companyY, '2026-03-28T10:00:00Z')).toBeNull();
  });

  it('refuses an unknown zone, a range that ends before it starts, and a day out of range', async () => {
    for (const [zone, weekly] of [
      ['Mars/Olympus', '[]'],
      ['UTC', '[{"day":1,"opens":"17:00","closes":"09:00"}]'],
      ['UTC', '[{"day":8,"opens":"09:00","closes":"17:00"}]'],
    ]) {
      await expect(c.query('update public.office_hours set time_zone = $2, weekly = $3::jsonb where company_id = $1', [w.companyX, zone, weekly])).rejects.toMatchObject({ code: '23514' });
    }
  });
});

/** Runs `sql` as each actor; returns the outcome per actor. */
async function matrix(kind: 'select' | 'write', sql: string, params: (a: Actor) => unknown[], unchanged?: () => Promise<boolean>) {
  const out: Partial<Record<Actor, unknown>> = {};
  for (const a of ACTORS) out[a] = await attempt(c, w, a, kind, sql, params(a), unchanged);
  return out;
}

describe('who reads and writes the new tables', () => {
  it('office hours: members of X read them, only admin X (and the service) change them', async () => {
    expect(await matrix('select', 'select count(*) as n from public.office_hours where company_id = $1', () => [w.companyX])).toEqual({
      anon: 'error', visitorA: 0, visitorB: 0, agentX: 1, adminX: 1, agentY: 0, service: 1,
    });
    const unchanged = async () => (await c.query('select weekly from public.office_hours where company_id = $1', [w.companyX])).rows[0].weekly.length === 5;
    expect(await matrix('write', `update public.office_hours set weekly = '[]' where company_id = $1`, () => [w.companyX], unchanged)).toEqual({
      anon: 'error', visitorA: 'none', visitorB: 'none', agentX: 'none', adminX: 'ok', agentY: 'none', service: 'ok',
    });
    const inserts = await matrix('write', `insert into public.office_hours (company_id, enabled) values ($1, true)`, () => [w.companyY]);
    expect(inserts).toMatchObject({ anon: 'error', adminX: 'error', agentX: 'error', visitorA: 'error', service: 'ok' });
  });

  it('identity secrets: nobody but the service reads them; admin X sees only when it was rotated', async () => {
    const reads = await matrix('select', 'select count(*) as n from public.widget_identity_secrets where company_id = $1', () => [w.companyX]);
    expect(reads).toEqual({ anon: 'error', visitorA: 'error', visitorB: 'error', agentX: 'error', adminX: 'error', agentY: 'error', service: 1 });
    const rotatedAt = await matrix('select', 'select public.widget_identity_rotated_at($1) is not null as n', () => [w.companyX]);
    expect(rotatedAt).toMatchObject({ anon: 'error', visitorA: 'error', agentX: 'error', agentY: 'error' });
  });

  it('identity secrets and visitor links: no role but the service writes them', async () => {
    const secretUnchanged = async () => (await c.query('select secret from public.widget_identity_secrets where company_id = $1', [w.companyX])).rows[0].secret === 'a'.repeat(64);
    const writes = await matrix('write', `update public.widget_identity_secrets set secret = repeat('b', 64) where company_id = $1`, () => [w.companyX], secretUnchanged);
    expect(writes).toEqual({ anon: 'error', visitorA: 'error', visitorB: 'error', agentX: 'error', adminX: 'error', agentY: 'error', service: 'ok' });
    const inserts = await matrix('write', `insert into public.widget_identity_secrets (company_id, secret) values ($1, repeat('c', 64))`, () => [w.companyY]);
    expect(inserts).toMatchObject({ anon: 'error', visitorA: 'error', agentX: 'error', adminX: 'error', agentY: 'error', service: 'ok' });
    // Linking a visitor row to a person (someone else's history) is the service's alone.
    const person = (await c.query(`select id from public.verified_visitors where external_id = 'cust-1'`)).rows[0].id;
    const linkUnchanged = async () => (await c.query('select verified_visitor_id from public.visitors where id = $1', [w.visitorB])).rows[0].verified_visitor_id === null;
    const links = await matrix('write', 'update public.visitors set verified_visitor_id = $2 where id = $1', () => [w.visitorB, person], linkUnchanged);
    expect(links).toEqual({ anon: 'error', visitorA: 'error', visitorB: 'error', agentX: 'error', adminX: 'error', agentY: 'error', service: 'ok' });
  });

  it('rotating: only admin X gets a new secret, and the old one is gone', async () => {
    for (const a of ['anon', 'visitorA', 'agentX', 'agentY'] as const) {
      await c.query('begin');
      try {
        await becomeActor(c, w, a);
        await expect(c.query('select public.rotate_widget_identity_secret($1)', [w.companyX])).rejects.toMatchObject({ code: '42501' });
      } finally {
        await c.query('rollback');
      }
    }
    expect((await c.query('select secret from public.widget_identity_secrets where company_id = $1', [w.companyX])).rows[0].secret).toBe('a'.repeat(64));
    await c.query('begin');
    try {
      await becomeActor(c, w, 'adminX');
      const fresh = (await c.query('select public.rotate_widget_identity_secret($1) as s', [w.companyX])).rows[0].s as string;
      expect(fresh).toMatch(/^[0-9a-f]{64}$/);
      await c.query('reset role');
      expect((await c.query('select secret from public.widget_identity_secrets where company_id = $1', [w.companyX])).rows[0].secret).toBe(fresh);
    } finally {
      await c.query('rollback');
    }
  });

  it('verified visitors: members of X and the linked visitor read them; nobody but the service writes', async () => {
    await c.query('update public.visitors set verified_visitor_id = (select id from public.verified_visitors where external_id = $2) where id = $1', [w.visitorA, 'cust-1']);
    expect(await matrix('select', 'select count(*) as n from public.verified_visitors where company_id = $1', () => [w.companyX])).toEqual({
      anon: 'error', visitorA: 1, visitorB: 0, agentX: 1, adminX: 1, agentY: 0, service: 1,
    });
    const unchanged = async () => (await c.query(`select name from public.verified_visitors where external_id = 'cust-1'`)).rows[0].name === 'Vera';
    expect(await matrix('write', `update public.verified_visitors set name = 'Mallory' where external_id = 'cust-1'`, () => [], unchanged)).toMatchObject({
      anon: 'error', visitorA: 'error', visitorB: 'error', agentX: 'error', adminX: 'error', agentY: 'error', service: 'ok',
    });
  });

  it('a linked visitor row keeps the verified name whoever writes it; a signed change reaches every device', async () => {
    await c.query(`update public.visitors set name = 'Impostor', email = 'x@evil.example' where id = $1`, [w.visitorA]);
    expect((await c.query('select name from public.visitors where id = $1', [w.visitorA])).rows[0].name).toBe('Vera');
    await c.query(`update public.verified_visitors set name = 'Vera V.', email = 'vera@example.com' where external_id = 'cust-1'`);
    expect((await c.query('select name, email from public.visitors where id = $1', [w.visitorA])).rows[0]).toEqual({ name: 'Vera V.', email: 'vera@example.com' });
  });
});
