// The help center's admin pages through their loaders and actions against the real stack: admins only, zod on every
// field (422 with field errors), articles written through RLS into the admin's own company only, the Auto Bot default.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as helpRoute from '../../app/routes/_dashboard.help/route.tsx';
import * as articleRoute from '../../app/routes/_dashboard.help_.$articleId/route.tsx';
import * as loginRoute from '../../app/routes/login/route.tsx';
import { call, companyWithTeam, cookiesFrom, type Fixture, sql, useTestStackEnv } from './helpers.ts';

let acme: Fixture;
let globex: Fixture;
let acmeAdmin: string;
let acmeAgent: string;
let globexAdmin: string;

async function signIn(user: { email: string; password: string }): Promise<string> {
  return cookiesFrom(await call(loginRoute.action, '/login', { form: { email: user.email, password: user.password, redirectTo: '/inbox' } }));
}

const article = { title: 'Reset your password', body: '# Steps\n\nChoose **Forgot password**.', locale: 'en', category: 'Account', published: 'on', intent: 'save' };

beforeAll(async () => {
  useTestStackEnv();
  [acme, globex] = await Promise.all([companyWithTeam('AcmeHelp'), companyWithTeam('GlobexHelp')]);
  [acmeAdmin, acmeAgent, globexAdmin] = await Promise.all([signIn(acme.admin), signIn(acme.agent), signIn(globex.admin)]);
});

describe('help center admin pages', () => {
  it('lets an admin create, edit, unpublish and delete an article of their company', async () => {
    const created = await call(articleRoute.action, '/help/new', { cookie: acmeAdmin, form: article, params: { articleId: 'new' } });
    expect(created.status).toBe(302);
    const id = created.headers.get('Location')!.split('/').pop()!;
    const [row] = await sql('select company_id, title, locale, category, published from public.help_articles where id = $1', [id]);
    expect(row).toEqual({ company_id: acme.companyId, title: 'Reset your password', locale: 'en', category: 'Account', published: true });

    const edited = await call(articleRoute.action, `/help/${id}`, { cookie: acmeAdmin, form: { ...article, title: 'Passwort', locale: 'de', published: '' }, params: { articleId: id } });
    expect(edited.status).toBe(200);
    expect((await sql('select title, locale, published from public.help_articles where id = $1', [id]))[0]).toEqual({ title: 'Passwort', locale: 'de', published: false });

    const list = await (await call(helpRoute.loader, '/help', { cookie: acmeAdmin })).json();
    expect(list.articles.map((a: { id: string }) => a.id)).toContain(id);
    const loaded = await (await call(articleRoute.loader, `/help/${id}`, { cookie: acmeAdmin, params: { articleId: id } })).json();
    expect(loaded.article.body).toBe(article.body);

    expect((await call(articleRoute.action, `/help/${id}`, { cookie: acmeAdmin, form: { intent: 'delete' }, params: { articleId: id } })).status).toBe(302);
    expect(await sql('select 1 from public.help_articles where id = $1', [id])).toEqual([]);
  });

  it("tries a visitor's question: the articles found, best first, and whether the Auto Bot would answer", async () => {
    const ids = await sql<{ id: string; title: string }>(
      `insert into public.help_articles (company_id, title, body, published) values
         ($1, 'Refund a damaged parcel', 'If your parcel arrived damaged we refund it in full.', true),
         ($1, 'Parcel tracking', 'Track your parcel with the number in the shipping email.', true),
         ($1, 'Refund draft', 'Refunds for damaged parcels, unpublished.', false),
         ($2, 'Refund a damaged parcel at Globex', 'Globex refunds damaged parcels.', true)
       returning id, title`,
      [acme.companyId, globex.companyId],
    );
    const idOf = (title: string) => ids.find((r) => r.title === title)!.id;
    const tried = await (await call(helpRoute.loader, `/help?q=${encodeURIComponent('my parcel arrived damaged, refund?')}`, { cookie: acmeAdmin })).json();
    expect(tried.tried.matches[0].id).toBe(idOf('Refund a damaged parcel'));
    expect(tried.tried.matches.map((m: { id: string }) => m.id)).not.toContain(idOf('Refund draft'));
    expect(tried.tried.matches.map((m: { id: string }) => m.id)).not.toContain(idOf('Refund a damaged parcel at Globex'));
    expect(tried.tried.answers).toEqual([idOf('Refund a damaged parcel')]);
    expect(tried.threshold).toBeGreaterThan(0);

    const quiet = await (await call(helpRoute.loader, '/help?q=opening+hours+on+sunday', { cookie: acmeAdmin })).json();
    expect(quiet.tried).toMatchObject({ question: 'opening hours on sunday', answers: [] });
    for (const q of ['', '%20%20', 'x'.repeat(301)]) {
      const bad = await (await call(helpRoute.loader, `/help?q=${q}`, { cookie: acmeAdmin })).json();
      expect(bad.tried.error, q).toBeTruthy();
      expect(bad.tried.matches).toEqual([]);
    }
    expect((await call(helpRoute.loader, '/help?q=refund', { cookie: acmeAgent })).status).toBe(403);
  });

  it('refuses agents, other companies and bad input', async () => {
    const id = (await sql<{ id: string }>(`insert into public.help_articles (company_id, title, body) values ($1, 'Acme only', 'Draft') returning id`, [acme.companyId]))[0]!.id;
    expect((await call(helpRoute.loader, '/help', { cookie: acmeAgent })).status).toBe(403);
    expect((await call(articleRoute.action, '/help/new', { cookie: acmeAgent, form: article, params: { articleId: 'new' } })).status).toBe(403);
    // Globex's admin neither reads nor changes nor deletes Acme's article.
    expect((await call(articleRoute.loader, `/help/${id}`, { cookie: globexAdmin, params: { articleId: id } })).status).toBe(404);
    expect((await call(articleRoute.action, `/help/${id}`, { cookie: globexAdmin, form: article, params: { articleId: id } })).status).toBe(404);
    expect((await call(articleRoute.action, `/help/${id}`, { cookie: globexAdmin, form: { intent: 'delete' }, params: { articleId: id } })).status).toBe(404);
    expect((await sql('select title from public.help_articles where id = $1', [id]))[0]).toEqual({ title: 'Acme only' });
    expect((await call(articleRoute.loader, '/help/nope', { cookie: acmeAdmin, params: { articleId: 'nope' } })).status).toBe(404);
    expect((await call(articleRoute.loader, `/help/${randomUUID()}`, { cookie: acmeAdmin, params: { articleId: randomUUID() } })).status).toBe(404);
    for (const bad of [{ title: '' }, { body: '' }, { locale: 'fr' }, { title: 'x'.repeat(201) }, { category: 'c'.repeat(81) }]) {
      const res = await call(articleRoute.action, '/help/new', { cookie: acmeAdmin, form: { ...article, ...bad }, params: { articleId: 'new' } });
      expect(res.status, JSON.stringify(bad)).toBe(422);
      expect(Object.keys((await res.json()).fieldErrors)).toEqual(Object.keys(bad));
    }
  });

  it("switches the company's Auto Bot default, which new conversations start with", async () => {
    expect((await (await call(helpRoute.loader, '/help', { cookie: acmeAdmin })).json()).autoBotDefault).toBe(false);
    expect((await call(helpRoute.action, '/help', { cookie: acmeAdmin, form: { autoBotDefault: 'true' } })).status).toBe(200);
    expect((await sql('select auto_bot_default from public.widget_configs where company_id = $1', [acme.companyId]))[0]).toEqual({ auto_bot_default: true });
    expect((await sql('select auto_bot_default from public.widget_configs where company_id = $1', [globex.companyId]))[0]).toEqual({ auto_bot_default: false });
    expect((await call(helpRoute.action, '/help', { cookie: acmeAdmin, form: { autoBotDefault: 'maybe' } })).status).toBe(422);
    expect((await call(helpRoute.action, '/help', { cookie: acmeAgent, form: { autoBotDefault: 'false' } })).status).toBe(403);
  });
});
