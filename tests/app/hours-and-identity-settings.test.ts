// The office hours & identity settings route (loader and action called with Requests against the real stack):
// agents are refused, bad input is a 422 {code, message} with field errors, the preview answers open/closed by
// the database's rule, hours are saved through RLS, and a rotated secret is answered once and never loaded again.
import { beforeAll, describe, expect, it } from 'vitest';
import * as hoursRoute from '../../app/routes/_dashboard.settings.hours/route.tsx';
import * as loginRoute from '../../app/routes/login/route.tsx';
import { call, companyWithTeam, cookiesFrom, type Fixture, sql, useTestStackEnv } from './helpers.ts';

let acme: Fixture;
let admin: string;
let agent: string;

async function signIn(user: { email: string; password: string }): Promise<string> {
  const res = await call(loginRoute.action, '/login', { form: { email: user.email, password: user.password, redirectTo: '/inbox' } });
  return cookiesFrom(res);
}

const HOURS = {
  intent: 'hours',
  enabled: 'on',
  timeZone: 'Europe/Berlin',
  'day1.open': 'on',
  'day1.opens': '09:00',
  'day1.closes': '17:00',
  closedDays: '2026-12-24\n2026-12-25',
  awayMode: 'form',
  awayMessage: 'Back soon',
};

beforeAll(async () => {
  useTestStackEnv();
  acme = await companyWithTeam('Hours');
  [admin, agent] = await Promise.all([signIn(acme.admin), signIn(acme.agent)]);
});

describe('settings/hours', () => {
  it('refuses agents (403) on the page and every action, and changes nothing', async () => {
    expect((await call(hoursRoute.loader, '/settings/hours', { cookie: agent })).status).toBe(403);
    for (const form of [HOURS, { intent: 'rotate' }, { intent: 'verification', requireVerification: 'on' }] as Record<string, string>[]) {
      expect((await call(hoursRoute.action, '/settings/hours', { cookie: agent, form })).status).toBe(403);
    }
    expect(await sql('select 1 from public.office_hours where company_id = $1', [acme.companyId])).toEqual([]);
    expect(await sql('select 1 from public.widget_identity_secrets where company_id = $1', [acme.companyId])).toEqual([]);
  });

  it('answers bad hours with 422 and the fields at fault', async () => {
    const res = await call(hoursRoute.action, '/settings/hours', { cookie: admin, form: { ...HOURS, timeZone: 'Mars/Olympus', 'day1.closes': '08:00' } });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body).toMatchObject({ code: 'validation_failed', message: expect.any(String) });
    expect(Object.keys(body.fieldErrors)).toEqual(expect.arrayContaining(['timeZone', 'days.0.closes']));
  });

  it('previews open/closed for unsaved values, saves hours, and loads them back', async () => {
    const closed = new URLSearchParams({ ...HOURS, preview: '1' });
    closed.delete('day1.open');
    const preview = await (await call(hoursRoute.loader, `/settings/hours?${closed}`, { cookie: admin })).json();
    expect(preview).toEqual({ preview: { open: false }, fieldErrors: {} });
    const open = new URLSearchParams({ ...HOURS, preview: '1', enabled: '' });
    expect((await (await call(hoursRoute.loader, `/settings/hours?${open}`, { cookie: admin })).json()).preview).toEqual({ open: true });

    expect((await call(hoursRoute.action, '/settings/hours', { cookie: admin, form: HOURS })).status).toBe(200);
    expect((await call(hoursRoute.action, '/settings/hours', { cookie: admin, form: { ...HOURS, awayMode: 'message' } })).status).toBe(200);
    const [row] = await sql('select time_zone, weekly, closed_days::text[] as closed_days, away_mode from public.office_hours where company_id = $1', [acme.companyId]);
    expect(row).toEqual({ time_zone: 'Europe/Berlin', weekly: [{ day: 1, opens: '09:00', closes: '17:00' }], closed_days: ['2026-12-24', '2026-12-25'], away_mode: 'message' });
    const page = await (await call(hoursRoute.loader, '/settings/hours', { cookie: admin })).json();
    expect(page.values).toMatchObject({ enabled: true, timeZone: 'Europe/Berlin', awayMode: 'message', closedDays: ['2026-12-24', '2026-12-25'] });
  });

  it('shows a rotated secret once: the action answers it, the page never loads it', async () => {
    const res = await call(hoursRoute.action, '/settings/hours', { cookie: admin, form: { intent: 'rotate' } });
    const { secret } = await res.json();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const [stored] = await sql<{ secret: string }>('select secret from public.widget_identity_secrets where company_id = $1', [acme.companyId]);
    expect(stored!.secret).toBe(secret);
    const page = await (await call(hoursRoute.loader, '/settings/hours', { cookie: admin })).text();
    expect(page).not.toContain(secret);
    expect(JSON.parse(page).secretRotatedAt).toEqual(expect.any(String));
    const again = await (await call(hoursRoute.action, '/settings/hours', { cookie: admin, form: { intent: 'rotate' } })).json();
    expect(again.secret).not.toBe(secret);
    expect((await call(hoursRoute.action, '/settings/hours', { cookie: admin, form: { intent: 'verification', requireVerification: 'on' } })).status).toBe(200);
    expect(await sql('select require_verification from public.widget_configs where company_id = $1', [acme.companyId])).toEqual([{ require_verification: true }]);
  });
});
