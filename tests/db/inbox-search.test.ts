// Inbox search (issue 24): public.search_conversations as each role, on real Postgres. What it finds (names,
// email fragments, typos, any message's words, German word forms), what it never finds (another company's data,
// anything for a visitor or anon), ranking, snippets, filters and keyset paging.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { type Actor, becomeActor, createWorld, type World } from './fixtures.ts';

let c: pg.Client;
let w: World;
const tag = randomUUID().slice(0, 8).replace(/[0-9]/g, 'q'); // a word no other test writes

interface Hit {
  id: string;
  tier: number;
  matched: string;
  snippet: string | null;
  status: string;
  visitor_name: string | null;
  visitor_email: string | null;
  last_message_at: Date;
}

/** A visitor (with locale) and a conversation in the company, its messages at the given ages in days. */
async function conversation(company: string, o: { name?: string; email?: string; locale?: string; status?: string; assignee?: string | null; platform?: string; messages: [string, number][] }) {
  const user = randomUUID();
  await c.query(`insert into auth.users (id, aud, role, is_anonymous) values ($1, 'authenticated', 'authenticated', true)`, [user]);
  const visitor = (
    await c.query(`insert into public.visitors (company_id, user_id, name, email, locale) values ($1, $2, $3, $4, $5) returning id`, [
      company,
      user,
      o.name ?? null,
      o.email ?? null,
      o.locale ?? null,
    ])
  ).rows[0].id as string;
  const id = (
    await c.query(`insert into public.conversations (company_id, visitor_id, status, assignee_id, platform) values ($1, $2, $3, $4, $5) returning id`, [
      company,
      visitor,
      o.status ?? 'open',
      o.assignee ?? null,
      o.platform ?? 'widget',
    ])
  ).rows[0].id as string;
  for (const [body, days] of o.messages) {
    await c.query(
      `insert into public.messages (conversation_id, company_id, sender_kind, body, created_at) values ($1, $2, 'visitor', $3, now() - make_interval(days => $4))`,
      [id, company, body, days],
    );
  }
  // The messages' times and the status asked for (a visitor's message reopens a resolved conversation).
  await c.query(
    `update public.conversations set last_message_at = coalesce((select max(created_at) from public.messages where conversation_id = $1), last_message_at), status = $2 where id = $1`,
    [id, o.status ?? 'open'],
  );
  return id;
}

async function search(actor: Actor, query: string, opts: Record<string, unknown> = {}, company = w.companyX): Promise<Hit[]> {
  await c.query('begin');
  try {
    await becomeActor(c, w, actor);
    const { rows } = await c.query(
      `select * from public.search_conversations(p_company_id => $1, p_query => $2, p_status => $3, p_assignee_id => $4, p_unassigned => $5,
         p_from => $6, p_to => $7, p_after_tier => $8, p_after_at => $9, p_after_id => $10, p_limit => $11, p_label_ids => $12, p_platform => $13)`,
      [
        company,
        query,
        opts.status ?? null,
        opts.assignee ?? null,
        opts.unassigned ?? false,
        opts.from ?? null,
        opts.to ?? null,
        opts.afterTier ?? null,
        opts.afterAt ?? null,
        opts.afterId ?? null,
        opts.limit ?? 25,
        opts.labels ?? null,
        opts.platform ?? null,
      ],
    );
    return rows as Hit[];
  } finally {
    await c.query('rollback');
  }
}

const ids = (hits: Hit[]) => hits.map((h) => h.id);
let anna: string;
let anyMessage: string;
let german: string;
let xss: string;
let secretY: string;

beforeAll(async () => {
  c = await db();
  w = await createWorld(c);
  anna = await conversation(w.companyX, { name: 'Anna Kowalski', email: `anna.kowalski.${tag}@shop.example`, messages: [['Hi there', 1]] });
  anyMessage = await conversation(w.companyX, {
    messages: [
      [`My parcel ${tag}zebra never arrived`, 3],
      ['Any news?', 2],
      ['Thanks, bye', 1],
    ],
  });
  german = await conversation(w.companyX, { name: 'Jörg', locale: 'de-DE', messages: [[`Die Rechnungen für ${tag} sind noch nicht bezahlt`, 1]] });
  xss = await conversation(w.companyX, { messages: [[`<script>alert(1)</script> please ${tag}refund me`, 1]] });
  secretY = await conversation(w.companyY, { name: `Yolanda ${tag}`, email: `yolanda.${tag}@globex.example`, messages: [[`confidential ${tag}merger plans`, 1]] });
  await c.query('analyze public.messages; analyze public.visitors');
}, 60_000);

afterAll(async () => {
  await c.end();
});

describe('inbox search finds', () => {
  it('a conversation by a fragment of the visitor’s name, shown with the name', async () => {
    const hits = await search('agentX', 'kowal');
    expect(ids(hits)).toContain(anna);
    expect(hits.find((h) => h.id === anna)).toMatchObject({ matched: 'visitor', visitor_name: 'Anna Kowalski', status: 'open', tier: 3 });
  });

  it('a conversation by a fragment of the visitor’s email', async () => {
    expect(ids(await search('agentX', `kowalski.${tag}@shop`))).toEqual([anna]);
  });

  it('a conversation by a misspelt name (trigram similarity)', async () => {
    expect(ids(await search('agentX', 'Kowalsky'))).toContain(anna);
  });

  it('a word in any message of the conversation, not only the last one', async () => {
    const hits = await search('agentX', `${tag}zebra`);
    expect(ids(hits)).toEqual([anyMessage]);
    expect(hits[0]!.snippet).toContain(`\uE000${tag}zebra\uE001`);
  });

  it('a word the agent is still typing (a prefix)', async () => {
    const hits = await search('agentX', `${tag}zeb`);
    expect(hits.find((h) => h.id === anyMessage)).toMatchObject({ matched: 'message', tier: 1 });
    expect(hits.find((h) => h.id === anyMessage)!.snippet).toContain(`\uE000${tag}zebra\uE001`);
  });

  it('a German word form in a German visitor’s message (Rechnung finds Rechnungen)', async () => {
    // The same words from a visitor of unknown language are read without stemming: "Rechnung" (not the last word,
    // so no prefix) is not among them.
    const unknown = await conversation(w.companyX, { messages: [[`Rechnungen für ${tag} sind noch nicht bezahlt`, 1]] });
    expect(ids(await search('agentX', `Rechnung ${tag}`))).toEqual([german]);
    expect(ids(await search('agentX', `Rechnungen ${tag}`)).sort()).toEqual([german, unknown].sort());
  });
});

describe('inbox search never finds', () => {
  it('another company’s conversations, by name, email or message, whichever company id is asked for', async () => {
    for (const q of [`Yolanda ${tag}`, `yolanda.${tag}@globex`, `${tag}merger`]) {
      expect(await search('agentX', q)).toEqual([]);
      expect(await search('agentX', q, {}, w.companyY)).toEqual([]);
      expect(ids(await search('agentY', q, {}, w.companyY))).toEqual([secretY]);
    }
    expect(await search('agentY', 'kowal', {}, w.companyX)).toEqual([]);
  });

  it('anything for a visitor, not even their own conversation', async () => {
    expect(await search('visitorA', 'hello')).toEqual([]);
    expect(ids(await search('adminX', 'hello from A'))).toContain(w.convA);
  });

  it('anything for anon: the function is not theirs to call', async () => {
    await expect(search('anon', 'hello')).rejects.toMatchObject({ code: '42501' });
  });
});

describe('inbox search ranks and pages', () => {
  it('ranks an exact match above a partial one, whichever is newer, and newer first among equals', async () => {
    const word = `${tag}invoice`;
    const oldPartial = await conversation(w.companyX, { messages: [[`${word}able item`, 30]] });
    const recentExact = await conversation(w.companyX, { messages: [[`the ${word} is wrong`, 1]] });
    const oldExact = await conversation(w.companyX, { messages: [[`my ${word} again`, 60]] });
    const recentPartial = await conversation(w.companyX, { messages: [[`${word}ing questions`, 0]] });
    expect(ids(await search('agentX', word))).toEqual([recentExact, oldExact, recentPartial, oldPartial]);
  });

  it('shows a snippet with <script> as plain text between its markers, never dropped or unescaped into markup', async () => {
    const hit = (await search('agentX', `${tag}refund`))[0]!;
    expect(hit.id).toBe(xss);
    expect(hit.snippet).toContain('<script>alert(1)</script>');
    expect(hit.snippet).toContain(`\uE000${tag}refund\uE001`);
  });

  it('filters by status, assignee, date range and label', async () => {
    const word = `${tag}filter`;
    const resolved = await conversation(w.companyX, { status: 'resolved', messages: [[word, 1]] });
    const mine = await conversation(w.companyX, { assignee: w.users.agentX, messages: [[word, 2]] });
    const old = await conversation(w.companyX, { messages: [[word, 40]] });
    expect(ids(await search('agentX', word, { status: 'resolved' }))).toEqual([resolved]);
    expect(ids(await search('agentX', word, { assignee: w.users.agentX }))).toEqual([mine]);
    expect(ids(await search('agentX', word, { unassigned: true }))).toEqual([resolved, old]);
    const from = new Date(Date.now() - 10 * 86_400_000).toISOString();
    expect(ids(await search('agentX', word, { from }))).toEqual([resolved, mine]);
    expect(ids(await search('agentX', word, { to: from }))).toEqual([old]);
    const label = (await c.query(`insert into public.labels (company_id, name, color) values ($1, $2, '#336699') returning id`, [w.companyX, `vip-${tag}`])).rows[0].id;
    await c.query(`insert into public.conversation_labels (conversation_id, label_id, company_id) values ($1, $2, $3)`, [mine, label, w.companyX]);
    expect(ids(await search('agentX', word, { labels: [label] }))).toEqual([mine]);
  });

  it('filters by platform, as the inbox list does', async () => {
    const word = `${tag}channel`;
    const messenger = await conversation(w.companyX, { platform: 'facebook', name: `Mira ${tag}channel`, messages: [[word, 1]] });
    const widget = await conversation(w.companyX, { messages: [[word, 2]] });
    expect(ids(await search('agentX', word)).sort()).toEqual([messenger, widget].sort());
    expect(ids(await search('agentX', word, { platform: 'facebook' }))).toEqual([messenger]);
    expect(ids(await search('agentX', word, { platform: 'widget' }))).toEqual([widget]);
    expect(ids(await search('agentX', word, { platform: 'instagram' }))).toEqual([]);
  });

  it('pages by keyset without repeating or skipping a conversation', async () => {
    const word = `${tag}pager`;
    const all: string[] = [];
    for (let i = 0; i < 5; i++) all.push(await conversation(w.companyX, { messages: [[i % 2 ? `${word}s` : word, i + 1]] }));
    const expected = ids(await search('agentX', word));
    expect(expected.sort()).toEqual([...all].sort());
    const seen: string[] = [];
    let after: Hit | undefined;
    for (let page = 0; page < 4; page++) {
      const hits = await search('agentX', word, { limit: 2, afterTier: after?.tier, afterAt: after?.last_message_at, afterId: after?.id });
      seen.push(...ids(hits));
      after = hits[hits.length - 1];
      if (hits.length < 2) break;
    }
    expect(seen).toEqual(ids(await search('agentX', word)));
  });
});
