// widget-help and the Auto Bot against the running stand-in (real Deno, real Postgres): published articles of the
// widget's company only, bad input answered 4xx, the bot answering a confident question once, staying quiet when
// unsure, never after an agent joined, and the hand-off to a person (bot off, system message, once).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createAuthUser, createCompany } from '../support/factories.ts';
import { seedHelpCenter } from '../support/help.ts';
import { client, db, stack } from '../support/stack.ts';

const ORIGIN = 'http://127.0.0.1:3001';
let admin: pg.Client;
let key: string;
let companyId: string;
let agentId: string;
let idOf: Map<string, string>;
let draftId: string;
let foreignId: string;

async function visitor() {
  const { data, error } = await client().auth.signInAnonymously();
  if (error) throw error;
  return data.session!.access_token;
}

async function call(fn: string, token: string, o: { body?: unknown; query?: Record<string, string>; origin?: string } = {}) {
  const url = new URL(`${stack().apiUrl}/functions/v1/${fn}`);
  url.searchParams.set('key', key);
  for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method: o.body === undefined ? 'GET' : 'POST',
    headers: { apikey: stack().anonKey, 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, Origin: o.origin ?? ORIGIN },
    body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
  });
  return { status: res.status, body: await res.json() };
}

const botMessages = async (conversationId: string) =>
  (await admin.query(`select id, body from public.messages where conversation_id = $1 and sender_kind = 'bot'`, [conversationId])).rows;

async function start(token: string, body: string) {
  const res = await call('widget-session', token, { body: { name: 'Vera', firstMessage: { id: randomUUID(), body } } });
  expect(res.status).toBe(201);
  return res.body.conversation.id as string;
}

beforeAll(async () => {
  admin = await db();
  const co = await createCompany(admin, { name: 'Helpful', widget: { allowed_origins: [ORIGIN], auto_bot_default: true } });
  key = co.widgetKey!;
  companyId = co.companyId;
  ({ idOf } = await seedHelpCenter(admin, companyId));
  draftId = (await admin.query(`insert into public.help_articles (company_id, title, body, published) values ($1, 'Reset your password (new draft)', 'Secret draft about password resets', false) returning id`, [companyId])).rows[0].id;
  const other = await createCompany(admin, { name: 'Other' });
  foreignId = (await admin.query(`insert into public.help_articles (company_id, title, body, published) values ($1, 'Reset your password at Other', 'Password resets at Other', true) returning id`, [other.companyId])).rows[0].id;
  agentId = await createAuthUser(admin, { email: `agent-${randomUUID()}@example.com` });
  await addMember(admin, companyId, agentId, 'agent', 'Sam');
});
afterAll(async () => {
  await admin.end();
});

describe('widget-help', () => {
  it('tells the widget whether its company has published articles, so a company without them never loads the help chunk', async () => {
    const config = async (widgetKey: string) => {
      const url = new URL(`${stack().apiUrl}/functions/v1/widget-config`);
      url.searchParams.set('key', widgetKey);
      const res = await fetch(url, { headers: { Origin: ORIGIN } });
      expect(res.status).toBe(200);
      return (await res.json()) as { hasHelpArticles?: boolean };
    };
    expect((await config(key)).hasHelpArticles).toBe(true);
    // Only a draft: nothing a visitor could read, so nothing to load.
    const draftsOnly = await createCompany(admin, { name: 'Drafting', widget: { allowed_origins: [ORIGIN] } });
    await admin.query(`insert into public.help_articles (company_id, title, body, published) values ($1, 'Not yet', 'Draft only', false)`, [draftsOnly.companyId]);
    expect((await config(draftsOnly.widgetKey!)).hasHelpArticles).toBe(false);
  });

  it("finds published articles of the widget's company only, typos included, and opens only those", async () => {
    const token = await visitor();
    const found = await call('widget-help', token, { query: { q: 'how do i reset my pasword' } });
    expect(found.status).toBe(200);
    const ids = found.body.articles.map((a: { id: string }) => a.id);
    expect(ids[0]).toBe(idOf.get('reset-password'));
    expect(ids).not.toContain(draftId);
    expect(ids).not.toContain(foreignId);
    expect(found.body.articles[0]).toMatchObject({ title: 'Reset your password', category: 'Account', locale: 'en' });

    const german = await call('widget-help', token, { query: { locale: 'de' } });
    expect(german.body.articles.length).toBeGreaterThan(0);
    expect(german.body.articles.every((a: { locale: string }) => a.locale === 'de')).toBe(true);

    const opened = await call('widget-help', token, { query: { article: idOf.get('invoice')! } });
    expect([opened.status, opened.body.article.title]).toEqual([200, 'Download an invoice']);
    for (const hidden of [draftId, foreignId, randomUUID()]) {
      const res = await call('widget-help', token, { query: { article: hidden } });
      expect([res.status, res.body.code]).toEqual([404, 'article_not_found']);
    }
  });

  it('answers bad input with 4xx {code, message} and refuses other origins', async () => {
    const token = await visitor();
    for (const query of <Record<string, string>[]>[{ article: 'nope' }, { q: 'x'.repeat(301) }, { locale: 'fr' }, { q: 'a\u0001b' }, { other: '1' }]) {
      const res = await call('widget-help', token, { query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body).toHaveProperty('code');
      expect(res.body).toHaveProperty('message');
    }
    for (const body of ['not json', { conversationId: 'nope' }, {}]) {
      expect((await call('widget-help', token, { body })).status).toBe(400);
    }
    expect((await call('widget-help', token, { query: { q: 'password' }, origin: 'https://evil.example' })).status).toBe(404);
  });
});

describe('the Auto Bot', () => {
  it('answers a confident question once with the matching article, and a retried send does not answer again', async () => {
    const token = await visitor();
    const res = await call('widget-session', token, { body: { name: 'Vera', firstMessage: { id: randomUUID(), body: 'How do I reset my password?' } } });
    const conversationId = res.body.conversation.id as string;
    const [answer, ...more] = await botMessages(conversationId);
    expect(more).toEqual([]);
    expect(answer.body).toContain('Reset your password');
    expect(answer.body).not.toMatch(/\*\*/);

    const id = randomUUID();
    const send = { conversationId, id, body: 'how do i cancel my order' };
    expect((await call('widget-messages', token, { body: send })).status).toBe(201);
    expect((await call('widget-messages', token, { body: send })).status).toBe(200);
    const answers = await botMessages(conversationId);
    expect(answers).toHaveLength(2);
    expect(answers.filter((m) => m.body.includes('Cancel an order'))).toHaveLength(1);
    // Asked again directly, the database finds the message answered.
    expect((await admin.query('select public.bot_consider($1) c', [id])).rows[0].c).toMatchObject({ eligible: false, reason: 'answered' });
  });

  it('stays quiet below the confidence threshold and when the company has the bot off', async () => {
    const token = await visitor();
    const conversationId = await start(token, 'Are you hiring software engineers?');
    expect(await botMessages(conversationId)).toEqual([]);
    await admin.query('update public.widget_configs set auto_bot_default = false where company_id = $1', [companyId]);
    try {
      const quiet = await start(await visitor(), 'How do I reset my password?');
      expect(await botMessages(quiet)).toEqual([]);
      expect((await admin.query('select auto_bot from public.conversations where id = $1', [quiet])).rows[0].auto_bot).toBe(false);
    } finally {
      await admin.query('update public.widget_configs set auto_bot_default = true where company_id = $1', [companyId]);
    }
  });

  it('never answers after an agent has replied or been assigned', async () => {
    const token = await visitor();
    const conversationId = await start(token, 'Are you hiring software engineers?');
    await admin.query(`insert into public.messages (conversation_id, sender_kind, author_id, body) values ($1, 'agent', $2, 'Hi, Sam here')`, [conversationId, agentId]);
    expect((await call('widget-messages', token, { body: { conversationId, id: randomUUID(), body: 'How do I reset my password?' } })).status).toBe(201);
    expect(await botMessages(conversationId)).toEqual([]);

    const assigned = await start(await visitor(), 'Are you hiring software engineers?');
    await admin.query('update public.conversations set assignee_id = $2 where id = $1', [assigned, agentId]);
    // Its visitor's next question, stored as the send would; the bot's two database doors both refuse.
    const m = await admin.query(`insert into public.messages (conversation_id, sender_kind, body) values ($1, 'visitor', 'How do I reset my password?') returning id`, [assigned]);
    expect((await admin.query('select public.bot_consider($1) c', [m.rows[0].id])).rows[0].c).toMatchObject({ eligible: false, reason: 'agent_joined' });
    expect((await admin.query(`select public.bot_reply($1, 'late answer') r`, [m.rows[0].id])).rows[0].r).toMatchObject({ created: false, reason: 'agent_joined' });
  });

  it('hands off to a person once: bot off, a system message in the thread, nobody else may', async () => {
    const token = await visitor();
    const conversationId = await start(token, 'How do I reset my password?');
    const stranger = await visitor();
    const refused = await call('widget-help', stranger, { body: { conversationId } });
    expect([refused.status, refused.body.code]).toEqual([404, 'conversation_not_found']);

    const first = await call('widget-help', token, { body: { conversationId, locale: 'en' } });
    expect(first.status).toBe(200);
    expect(first.body.handedOff).toBe(true);
    expect(first.body.message).toMatchObject({ senderKind: 'system', conversationId });
    const again = await call('widget-help', token, { body: { conversationId } });
    expect([again.status, again.body.handedOff]).toEqual([200, false]);
    const row = (await admin.query('select auto_bot from public.conversations where id = $1', [conversationId])).rows[0];
    expect(row.auto_bot).toBe(false);
    const system = (await admin.query(`select count(*)::int n from public.messages where conversation_id = $1 and sender_kind = 'system'`, [conversationId])).rows[0];
    expect(system.n).toBe(1);
    // After the hand-off the bot is quiet, however well a question matches.
    await call('widget-messages', token, { body: { conversationId, id: randomUUID(), body: 'How do I reset my password?' } });
    expect(await botMessages(conversationId)).toHaveLength(1);
  });
});
