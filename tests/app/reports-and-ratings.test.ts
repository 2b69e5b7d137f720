// The reports page, its CSV export and the rating in the conversation view, called as the dashboard calls them:
// guards (signed in, member; the scale admin-only), validation (a bad range is a 400 with {code, message}), and
// figures and ratings of the agent's own company only.
import { beforeAll, describe, expect, it } from 'vitest';
import * as conversationRoute from '../../app/routes/_dashboard.inbox.$conversationId/route.tsx';
import * as reportsRoute from '../../app/routes/_dashboard.reports/route.tsx';
import * as loginRoute from '../../app/routes/login/route.tsx';
import * as csvRoute from '../../app/routes/reports[.]csv/route.ts';
import { call, companyWithTeam, cookiesFrom, type Fixture, sql, useTestStackEnv } from './helpers.ts';

let acme: Fixture;
let globex: Fixture;
let acmeAdmin: string;
let acmeAgent: string;
let globexAgent: string;
const today = new Date().toISOString().slice(0, 10);

async function signIn(user: { email: string; password: string }): Promise<string> {
  const res = await call(loginRoute.action, '/login', { form: { email: user.email, password: user.password, redirectTo: '/inbox' } });
  expect(res.status).toBe(302);
  return cookiesFrom(res);
}

beforeAll(async () => {
  useTestStackEnv();
  [acme, globex] = await Promise.all([companyWithTeam('Acme'), companyWithTeam('Globex')]);
  [acmeAdmin, acmeAgent, globexAgent] = await Promise.all([signIn(acme.admin), signIn(acme.agent), signIn(globex.agent)]);
  await sql(`update public.conversations set status = 'resolved' where id = $1`, [acme.conversationId]);
  await sql(`insert into public.conversation_ratings (conversation_id, company_id, visitor_id, scale, score, comment) values ($1, $2, $3, 'five', 4, '=HYPERLINK("x")')`, [
    acme.conversationId,
    acme.companyId,
    acme.visitorId,
  ]);
});

describe('reports', () => {
  it('sends a visitor who is not signed in to the login page', async () => {
    const res = await call(reportsRoute.loader, '/reports');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toMatch(/^\/login/);
  });

  it("gives an agent their company's figures and another company's agent none of them", async () => {
    const mine = await call(reportsRoute.loader, `/reports?from=${today}&to=${today}`, { cookie: acmeAgent });
    expect(mine.status).toBe(200);
    const data = await mine.json();
    expect(data.report.times.conversations).toBe(1);
    expect(data.report.score).toEqual({ ratings: 1, satisfied: 1, score_percent: 100 });
    expect(data.isAdmin).toBe(false);
    const theirs = await (await call(reportsRoute.loader, `/reports?from=${today}&to=${today}`, { cookie: globexAgent })).json();
    expect(theirs.report.score.ratings).toBe(0);
    expect(theirs.report.agents.map((a: { display_name: string }) => a.display_name).sort()).toEqual(['Globex Admin', 'Globex Agent']);
  });

  it("counts days and hours in the time zone of the company's office hours, UTC without them", async () => {
    const { h: started, d: day } = (
      await sql<{ h: number; d: string }>(
        `select extract(hour from created_at at time zone 'Asia/Kolkata')::int h, (created_at at time zone 'Asia/Kolkata')::date::text d from public.conversations where id = $1`,
        [acme.conversationId],
      )
    )[0]!;
    const zoned = async () => (await (await call(reportsRoute.loader, `/reports?from=${day}&to=${day}`, { cookie: acmeAgent })).json()) as { timeZone: string; report: { hours: { hour: number }[] } };
    expect((await zoned()).timeZone).toBe('UTC');
    await sql(`insert into public.office_hours (company_id, time_zone) values ($1, 'Asia/Kolkata')`, [acme.companyId]);
    try {
      const data = await zoned();
      expect(data.timeZone).toBe('Asia/Kolkata');
      // The conversation counts on its Kolkata day, in its Kolkata hour (UTC's date may differ).
      expect(data.report.hours.map((h) => h.hour)).toContain(started);
      const csv = await call(csvRoute.loader, `/reports.csv?from=${day}&to=${day}`, { cookie: acmeAgent });
      expect(csv.headers.get('X-Report-Time-Zone')).toBe('Asia/Kolkata');
    } finally {
      await sql('delete from public.office_hours where company_id = $1', [acme.companyId]);
    }
  });

  it('answers a bad range with 400 invalid_range, never a 500', async () => {
    for (const q of ['from=2026-13-01&to=2026-12-01', 'from=2026-12-05&to=2026-12-01', 'from=2024-01-01&to=2026-01-01', 'from=x&to=%00']) {
      for (const route of [reportsRoute.loader, csvRoute.loader]) {
        const res = await call(route, `/reports?${q}`, { cookie: acmeAgent });
        expect([q, res.status]).toEqual([q, 400]);
        expect(await res.json()).toMatchObject({ code: 'invalid_range', message: expect.any(String) });
      }
    }
  });

  it('exports CSV with the rating, its formula-looking comment quoted as text', async () => {
    const res = await call(csvRoute.loader, `/reports.csv?from=${today}&to=${today}`, { cookie: acmeAgent });
    expect(res.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(acme.conversationId);
    expect(lines[1]!.endsWith(`,five,4,"'=HYPERLINK(""x"")"`)).toBe(true);
    const theirs = await (await call(csvRoute.loader, `/reports.csv?from=${today}&to=${today}`, { cookie: globexAgent })).text();
    expect(theirs).not.toContain(acme.conversationId);
  });

  it('lets only an admin change the rating scale, and only to a scale that exists', async () => {
    const agent = await call(reportsRoute.action, '/reports', { cookie: acmeAgent, form: { intent: 'scale', scale: 'thumbs' } });
    expect(agent.status).toBe(403);
    const bad = await call(reportsRoute.action, '/reports', { cookie: acmeAdmin, form: { intent: 'scale', scale: 'ten' } });
    expect(bad.status).toBe(422);
    expect((await sql('select rating_scale from public.companies where id = $1', [acme.companyId]))[0]).toEqual({ rating_scale: 'five' });
    const ok = await call(reportsRoute.action, '/reports', { cookie: acmeAdmin, form: { intent: 'scale', scale: 'thumbs' } });
    expect(ok.status).toBe(200);
    expect((await sql('select rating_scale from public.companies where id = $1', [acme.companyId]))[0]).toEqual({ rating_scale: 'thumbs' });
  });
});

describe('the rating in the conversation view', () => {
  it("shows the conversation's rating to its company's agents only", async () => {
    const res = await call(conversationRoute.loader, `/inbox/${acme.conversationId}`, { cookie: acmeAgent, params: { conversationId: acme.conversationId } });
    expect((await res.json()).rating).toMatchObject({ scale: 'five', score: 4 });
    const theirs = await call(conversationRoute.loader, `/inbox/${acme.conversationId}`, { cookie: globexAgent, params: { conversationId: acme.conversationId } });
    expect(theirs.status).toBe(404);
  });
});
