// Help articles in the database: RLS for every actor (drafts and other companies' articles unreachable by visitors
// and other companies; writes by admins only), the ranking (title above body, German word forms, typos mended by
// trigram), the search functions refused to the API roles, and the bot's reply stored once under concurrency.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUESTIONS } from '../fixtures/help/questions.ts';
import { seedHelpCenter } from '../support/help.ts';
import { db } from '../support/stack.ts';
import { ACTORS, type Actor, attempt, becomeActor, createWorld, type Outcome, type World } from './fixtures.ts';

let c: pg.Client;
let w: World;
let published: string;
let draft: string;
let foreign: string;

const row = (...v: Outcome[]) => Object.fromEntries(ACTORS.map((a, i) => [a, v[i]!])) as Record<Actor, Outcome>;

beforeAll(async () => {
  c = await db();
  w = await createWorld(c);
  const insert = async (company: string, title: string, isPublished: boolean) =>
    (await c.query('insert into public.help_articles (company_id, title, body, published) values ($1, $2, $3, $4) returning id', [company, title, `${title} body`, isPublished])).rows[0].id as string;
  published = await insert(w.companyX, 'Published at X', true);
  draft = await insert(w.companyX, 'Draft at X', false);
  foreign = await insert(w.companyY, 'Published at Y', true);
});
afterAll(async () => {
  await c.end();
});

describe('help_articles RLS', () => {
  const count = (ids: () => string[]) => `select count(*)::int n from public.help_articles where id = any ('{${ids().join(',')}}'::uuid[])`;
  const cases: [string, () => string, unknown[] | (() => unknown[]), Record<Actor, Outcome>][] = [
    // X's published article and its draft: members of X read both, nobody else reads either (visitors go through widget-help).
    ['select X (published + draft)', () => count(() => [published, draft]), [], row('error', 0, 0, 2, 2, 0, 2)],
    ['select Y', () => count(() => [foreign]), [], row('error', 0, 0, 0, 0, 1, 1)],
    ['insert into X', () => `insert into public.help_articles (company_id, title, body) values ('${w.companyX}', 'New', 'Text')`, [], row('error', 'error', 'error', 'error', 'ok', 'error', 'ok')],
    ['update X draft', () => `update public.help_articles set title = 'Changed' where id = '${draft}'`, [], row('error', 'none', 'none', 'none', 'ok', 'none', 'ok')],
    ['publish X draft', () => `update public.help_articles set published = true where id = '${draft}'`, [], row('error', 'none', 'none', 'none', 'ok', 'none', 'ok')],
    ['update Y', () => `update public.help_articles set title = 'Changed' where id = '${foreign}'`, [], row('error', 'none', 'none', 'none', 'none', 'none', 'ok')],
    ['delete X', () => `delete from public.help_articles where id = '${published}'`, [], row('error', 'none', 'none', 'none', 'ok', 'none', 'ok')],
  ];
  for (const [name, sql, , expected] of cases) {
    it(`${name}: by each actor`, async () => {
      const unchanged = async () => {
        const r = await c.query(`select string_agg(title || published::text, ',' order by id) s from public.help_articles where id = any ($1)`, [[published, draft, foreign]]);
        return r.rows[0].s === snapshot;
      };
      const snapshot = (await c.query(`select string_agg(title || published::text, ',' order by id) s from public.help_articles where id = any ($1)`, [[published, draft, foreign]])).rows[0].s;
      const kind = name.startsWith('select') ? 'select' : 'write';
      const got: Record<string, Outcome> = {};
      for (const a of ACTORS) got[a] = await attempt(c, w, a, kind, sql(), [], unchanged);
      expect(got).toEqual(expected);
    });
  }

  it('refuses an admin moving an article to another company, and an admin writing into a company not theirs', async () => {
    expect(await attempt(c, w, 'adminX', 'write', `update public.help_articles set company_id = '${w.companyY}' where id = '${published}'`, [])).toBe('error');
    expect(await attempt(c, w, 'adminX', 'write', `insert into public.help_articles (company_id, title, body) values ('${w.companyY}', 'x', 'y')`, [])).toBe('error');
  });

  it("lets an admin try a question against their company's published articles only, and nobody else", async () => {
    const tryAt = (company: string) => `select count(*)::int n from public.help_try('${company}', 'published at')`;
    const got: Record<string, Outcome> = {};
    for (const a of ACTORS) got[a] = await attempt(c, w, a, 'select', tryAt(w.companyX), []);
    // The service role reads private.help_search itself; help_try is the admins' door.
    expect(got).toEqual(row('error', 'error', 'error', 'error', 1, 'error', 'error'));
    expect(await attempt(c, w, 'adminX', 'select', tryAt(w.companyY), [])).toBe('error');
    await c.query('begin');
    const found = await becomeActor(c, w, 'adminX')
      .then(() => c.query(`select id, score from public.help_try($1, 'published at')`, [w.companyX]))
      .then((r) => r.rows)
      .finally(() => c.query('rollback'));
    expect(found.map((r) => r.id)).toEqual([published]);
    expect(found[0].score).toBeGreaterThan(0);
    for (const q of ['', ' ', 'x'.repeat(301)]) {
      await expect(attempt(c, w, 'adminX', 'select', `select count(*) n from public.help_try('${w.companyX}', $1)`, [q])).rejects.toMatchObject({ code: '22023' });
    }
  });

  it('gives the API roles no search function nor the word list (only the service role calls them)', async () => {
    for (const actor of ['anon', 'visitorA', 'agentX'] as const) {
      for (const sql of [
        `select * from private.help_search('${w.companyX}', 'published', 5)`,
        `select public.widget_help_search('pk_x_000000', 'http://x', 'published', 5)`,
        `select public.widget_help_article('pk_x_000000', 'http://x', '${draft}')`,
        `select public.bot_consider('${randomUUID()}')`,
        `select public.bot_reply('${randomUUID()}', 'x')`,
        `select public.widget_handoff('pk_x_000000', 'http://x', '${randomUUID()}', '${randomUUID()}', 'x')`,
        'select count(*) from private.help_words',
      ]) {
        expect(await attempt(c, w, actor, 'write', sql, []), `${actor}: ${sql}`).toBe('error');
      }
    }
  });
});

describe('help search ranking', () => {
  let company: string;
  let idOf: Map<string, string>;
  let keyOf: Map<string, string>;
  const top = async (q: string, n = 3) => (await c.query('select id, score from private.help_search($1, $2, $3)', [company, q, n])).rows.map((r) => keyOf.get(r.id));

  beforeAll(async () => {
    company = (await c.query(`insert into public.companies (name) values ('Ranking') returning id`)).rows[0].id;
    ({ idOf, keyOf } = await seedHelpCenter(c, company));
  });

  it('ranks an article whose title holds the words above one that mentions them in its body', async () => {
    // "invoice" is in the invoice article's title and in the payment-methods article's body.
    expect((await top('invoice'))[0]).toBe('invoice');
    expect(await top('invoice')).toContain('payment-methods');
  });

  it('finds German articles by other word forms (German stemming)', async () => {
    expect((await top('Lieferzeit'))[0]).toBe('lieferzeit');
    expect((await top('Gutscheine'))[0]).toBe('gutschein');
    expect((await top('Rechnungen'))[0]).toBe('rechnung');
    expect((await top('Bestellungen stornieren'))[0]).toBe('bestellung-stornieren');
  });

  it('mends typos with the trigram fallback', async () => {
    expect(await top('pasword')).toEqual(['reset-password']);
    expect((await top('newsleter unsubscibe'))[0]).toBe('newsletter');
    expect((await top('bestelung'))[0]).toBe('bestellung-stornieren');
    // Without the mended word the typo finds nothing.
    expect((await c.query('select count(*)::int n from public.help_articles where company_id = $1 and search @@ to_tsquery($2)', [company, 'pasword'])).rows[0].n).toBe(0);
  });

  it('finds nothing in drafts and scores a question with no right article low', async () => {
    await c.query('update public.help_articles set published = false where id = $1', [idOf.get('coupon')]);
    try {
      expect(await top('voucher discount code')).not.toContain('coupon');
    } finally {
      await c.query('update public.help_articles set published = true where id = $1', [idOf.get('coupon')]);
    }
    expect(await top('voucher discount code')).toContain('coupon');
    const unanswerable = QUESTIONS.filter((q) => q.expected === null);
    for (const q of unanswerable) {
      const best = (await c.query('select score from private.help_search($1, $2, 1)', [company, q.text])).rows[0];
      expect(Number(best?.score ?? 0), q.text).toBeLessThan(0.45);
    }
  });
});

describe('the bot reply in the database', () => {
  it('stores one reply to a visitor message however many answer it at once, with the id derived from the message', async () => {
    const conv = (await c.query('update public.conversations set auto_bot = true where id = $1 returning id', [w.convB])).rows[0].id;
    const m = (await c.query(`insert into public.messages (conversation_id, sender_kind, body) values ($1, 'visitor', 'hi') returning id`, [conv])).rows[0].id;
    const others = await Promise.all([db(), db(), db()]);
    try {
      const results = await Promise.all(others.map((o) => o.query('select public.bot_reply($1, $2) r', [m, 'answer']).then((r) => r.rows[0].r)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(results.filter((r) => !r.created).map((r) => r.reason)).toEqual(['answered', 'answered']);
    } finally {
      await Promise.all(others.map((o) => o.end()));
    }
    const rows = (await c.query(`select id from public.messages where conversation_id = $1 and sender_kind = 'bot'`, [conv])).rows;
    expect(rows).toEqual([{ id: (await c.query('select private.bot_reply_id($1) id', [m])).rows[0].id }]);
    expect((await c.query('select public.bot_consider($1) c', [m])).rows[0].c).toMatchObject({ eligible: false, reason: 'answered' });
  });
});
