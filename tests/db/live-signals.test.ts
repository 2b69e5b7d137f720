// Issue 18's database side from each actor: who may send typing and read availability (Realtime's own probe), read
// marks that only move forward (also under concurrency) and are announced once, and the typical reply time.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { ACTORS, type Actor, becomeActor, createWorld, type World } from './fixtures.ts';

let c: pg.Client;
let w: World;
const ORIGIN = 'https://shop.example';
const keyOf = (company: string) => `pk_test_${company.replace(/-/g, '').slice(0, 20)}`;

beforeAll(async () => {
  c = await db();
  w = await createWorld(c);
  await c.query('update public.widget_configs set allowed_origins = $1 where company_id = any($2::uuid[])', [[ORIGIN], [w.companyX, w.companyY]]);
});
afterAll(async () => {
  await c.end();
});

type Access = { readBroadcast: boolean; readPresence: boolean; writeBroadcast: boolean; writePresence: boolean };

/** Realtime's check, as tenants/authorization.ex does it: a probe row read and one inserted as the user, rolled back. */
async function access(actor: Exclude<Actor, 'service'>, topic: string): Promise<Access> {
  const out: Partial<Access> = {};
  for (const ext of ['broadcast', 'presence'] as const) {
    const cap = ext === 'broadcast' ? 'Broadcast' : 'Presence';
    await c.query('begin');
    try {
      const id = randomUUID();
      await c.query(`insert into realtime.messages (id, topic, extension, private, payload) values ($1, $2, $3, true, '{}')`, [id, topic, ext]);
      await becomeActor(c, w, actor);
      await c.query(`select set_config('realtime.topic', $1, true)`, [topic]);
      out[`read${cap}`] = (await c.query('select 1 from realtime.messages where id = $1', [id])).rowCount === 1;
    } finally {
      await c.query('rollback');
    }
    await c.query('begin');
    try {
      await becomeActor(c, w, actor);
      await c.query(`select set_config('realtime.topic', $1, true)`, [topic]);
      out[`write${cap}`] = await c.query(`insert into realtime.messages (topic, extension, private, payload) values ($1, $2, true, '{}')`, [topic, ext]).then(
        () => true,
        (err) => {
          if (err.code !== '42501') throw err;
          return false;
        },
      );
    } finally {
      await c.query('rollback');
    }
  }
  return out as Access;
}

const none: Access = { readBroadcast: false, readPresence: false, writeBroadcast: false, writePresence: false };
const typist: Access = { readBroadcast: true, readPresence: false, writeBroadcast: true, writePresence: false };
const looksWho: Access = { readBroadcast: false, readPresence: true, writeBroadcast: false, writePresence: false };
const isThere: Access = { readBroadcast: false, readPresence: true, writeBroadcast: false, writePresence: true };
const people = ACTORS.filter((a) => a !== 'service') as Exclude<Actor, 'service'>[];

describe('client signal topics (Realtime authorization)', () => {
  const cases: [string, () => string, Record<Exclude<Actor, 'service'>, Access>][] = [
    ['typing in conversation A', () => `conversation:${w.convA}:typing`, { anon: none, visitorA: typist, visitorB: none, agentX: typist, adminX: typist, agentY: none }],
    ['typing in conversation B', () => `conversation:${w.convB}:typing`, { anon: none, visitorA: none, visitorB: typist, agentX: typist, adminX: typist, agentY: none }],
    ['availability of company X', () => `availability:${keyOf(w.companyX)}`, { anon: none, visitorA: looksWho, visitorB: looksWho, agentX: isThere, adminX: isThere, agentY: none }],
    ['availability of company Y', () => `availability:${keyOf(w.companyY)}`, { anon: none, visitorA: none, visitorB: none, agentX: none, adminX: none, agentY: isThere }],
    ['availability of an unknown widget', () => 'availability:pk_nobody_here', { anon: none, visitorA: none, visitorB: none, agentX: none, adminX: none, agentY: none }],
    ['typing with a suffix', () => `conversation:${w.convA}:typing:x`, { anon: none, visitorA: none, visitorB: none, agentX: none, adminX: none, agentY: none }],
  ];
  for (const [name, topic, expected] of cases) {
    it(`${name}: each actor reads and writes only what it should`, async () => {
      const actual: Record<string, Access> = {};
      for (const actor of people) actual[actor] = await access(actor, topic());
      expect(actual).toEqual(expected);
    });
  }

  it('still lets no client broadcast where server events travel (a forged message.created cannot exist)', async () => {
    const company = (await c.query('select realtime_topic from public.companies where id = $1', [w.companyX])).rows[0].realtime_topic as string;
    for (const topic of [`conversation:${w.convA}`, company]) {
      for (const actor of people) expect((await access(actor, topic)).writeBroadcast, `${actor} on ${topic}`).toBe(false);
    }
  });
});

async function messageIn(conversation: string, kind: 'visitor' | 'agent', author: string, body: string): Promise<string> {
  const id = randomUUID();
  await c.query(`insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, body) values ($1, $2, $3, $4, $5, $6)`, [
    id,
    conversation,
    w.companyX,
    kind,
    author,
    body,
  ]);
  return id;
}

async function seenAs(client: pg.Client, user: string, conversation: string, message: string, key = keyOf(w.companyX)) {
  return (await client.query('select public.widget_mark_seen($1, $2, $3, $4, $5) as r', [key, ORIGIN, user, conversation, message])).rows[0].r as {
    message_id: string;
    at: string;
  };
}

async function marks(conversation: string) {
  return (
    await c.query(
      'select visitor_last_read_message_id v, visitor_last_read_at vat, agent_last_read_message_id a, agent_last_read_at aat, unread_count from public.conversations where id = $1',
      [conversation],
    )
  ).rows[0];
}

async function updatesSince(since: Date, topic: string): Promise<Record<string, unknown>[]> {
  const { rows } = await c.query(
    `select payload from realtime.messages where inserted_at >= $1::timestamptz at time zone 'utc' and topic = $2 and event = 'conversation.updated' order by inserted_at, id`,
    [since.toISOString(), topic],
  );
  return rows.map((r) => r.payload);
}
const dbNow = async () => (await c.query('select clock_timestamp() t')).rows[0].t as Date;

describe('seen marks', () => {
  it("move the visitor's mark forward only, announce a move once on each topic, and refuse other conversations", async () => {
    const older = await messageIn(w.convA, 'agent', w.users.agentX, 'first answer');
    const newer = await messageIn(w.convA, 'agent', w.users.agentX, 'second answer');
    const since = await dbNow();
    expect((await seenAs(c, w.users.visitorA, w.convA, newer)).message_id).toBe(newer);
    expect((await seenAs(c, w.users.visitorA, w.convA, older)).message_id).toBe(newer);
    expect((await seenAs(c, w.users.visitorA, w.convA, newer)).message_id).toBe(newer);
    expect((await marks(w.convA)).v).toBe(newer);
    const company = (await c.query('select realtime_topic from public.companies where id = $1', [w.companyX])).rows[0].realtime_topic;
    const toAgents = await updatesSince(since, company);
    expect(toAgents.map((p) => p.visitor_last_read_message_id)).toEqual([newer]);
    expect(toAgents[0]!.visitor_last_read_at).toBeTruthy();
    expect(await updatesSince(since, `conversation:${w.convA}`)).toHaveLength(1);
    // Visitor B, a message of another conversation, another company's widget: refused, nothing moves.
    await expect(seenAs(c, w.users.visitorB, w.convA, newer)).rejects.toMatchObject({ code: 'PLC04' });
    const bMessage = (await c.query('select id from public.messages where conversation_id = $1 limit 1', [w.convB])).rows[0].id;
    await expect(seenAs(c, w.users.visitorA, w.convA, bMessage)).rejects.toMatchObject({ code: 'PLS04' });
    await expect(seenAs(c, w.users.visitorA, w.convA, newer, keyOf(w.companyY))).rejects.toMatchObject({ code: 'PLC04' });
    expect((await marks(w.convA)).v).toBe(newer);
  });

  it('keep the newer mark when an older one commits after it (two visitors tabs at once)', async () => {
    const older = await messageIn(w.convB, 'agent', w.users.agentX, 'one');
    const newer = await messageIn(w.convB, 'agent', w.users.agentX, 'two');
    const other = await db();
    try {
      await c.query('begin');
      await seenAs(c, w.users.visitorB, w.convB, newer); // holds the row lock
      const late = seenAs(other, w.users.visitorB, w.convB, older); // waits for it
      await new Promise((r) => setTimeout(r, 200));
      await c.query('commit');
      expect((await late).message_id).toBe(newer);
      expect((await marks(w.convB)).v).toBe(newer);
    } finally {
      await other.end();
    }
  });

  it('are callable by the service role only (visitors write through widget-seen)', async () => {
    for (const actor of ['anon', 'visitorA', 'agentX'] as const) {
      await c.query('begin');
      try {
        await becomeActor(c, w, actor);
        await expect(c.query('select public.widget_mark_seen($1, $2, $3, $4, $5)', [keyOf(w.companyX), ORIGIN, w.users.visitorA, w.convA, randomUUID()])).rejects.toMatchObject({
          code: '42501',
        });
      } finally {
        await c.query('rollback');
      }
    }
  });

  it("move the agents' mark only through mark_conversation_read, forward only, for members only", async () => {
    await messageIn(w.convA, 'visitor', w.users.visitorA, 'a question');
    const last = await messageIn(w.convA, 'visitor', w.users.visitorA, 'another one');
    const as = async (actor: Actor, sql: string, params: unknown[]) => {
      await c.query('begin');
      try {
        await becomeActor(c, w, actor);
        return await c.query(sql, params);
      } finally {
        await c.query('commit');
      }
    };
    await as('agentY', 'select public.mark_conversation_read($1)', [w.convA]);
    expect((await marks(w.convA)).a).not.toBe(last);
    await as('agentX', 'select public.mark_conversation_read($1)', [w.convA]);
    const read = await marks(w.convA);
    expect([read.a, read.unread_count]).toEqual([last, 0]);
    expect(read.aat).toBeTruthy();
    // No direct write of the mark any more: a member cannot move it back through REST.
    const first = (await c.query('select id from public.messages where conversation_id = $1 order by created_at limit 1', [w.convA])).rows[0].id;
    await expect(as('agentX', 'update public.conversations set agent_last_read_message_id = $1 where id = $2', [first, w.convA])).rejects.toMatchObject({ code: '42501' });
    expect((await marks(w.convA)).a).toBe(last);
  });
});

describe('typical reply time', () => {
  it('is the median first response of the last 7 days, hidden below 5 answered conversations, and cached', async () => {
    const company = randomUUID();
    await c.query(`insert into public.companies (id, name) values ($1, 'Replies')`, [company]);
    const agentId = w.users.adminX;
    await c.query(`insert into public.company_members (company_id, user_id, role, display_name) values ($1, $2, 'agent', 'R')`, [company, agentId]);
    const visitorUser = w.users.visitorA;
    const visitor = randomUUID();
    await c.query('insert into public.visitors (id, company_id, user_id) values ($1, $2, $3)', [visitor, company, visitorUser]);
    const conversationWith = async (askedMinutesAgo: number, answerAfterMinutes: number | null) => {
      const conv = randomUUID();
      await c.query('insert into public.conversations (id, company_id, visitor_id) values ($1, $2, $3)', [conv, company, visitor]);
      await c.query(
        `insert into public.messages (conversation_id, sender_kind, author_id, body, created_at) values ($1, 'visitor', $2, 'q', now() - make_interval(mins => $3))`,
        [conv, visitorUser, askedMinutesAgo],
      );
      if (answerAfterMinutes !== null) {
        await c.query(
          `insert into public.messages (conversation_id, sender_kind, author_id, body, created_at) values ($1, 'agent', $2, 'a', now() - make_interval(mins => $3))`,
          [conv, agentId, askedMinutesAgo - answerAfterMinutes],
        );
      }
    };
    const minutes = async () => {
      await c.query('delete from public.company_reply_times where company_id = $1', [company]);
      return (await c.query('select public.widget_typical_reply_minutes($1) m', [company])).rows[0].m;
    };
    for (const answer of [2, 4, 6, 8]) await conversationWith(600, answer);
    await conversationWith(600, null); // unanswered: no sample
    await conversationWith(60 * 24 * 8, 1); // older than 7 days: no sample
    expect(await minutes()).toBeNull();
    await conversationWith(600, 30);
    expect(await minutes()).toBe(6); // median of 2, 4, 6, 8, 30
    // Cached: a faster reply now does not show until the figure is 10 minutes old.
    for (let i = 0; i < 6; i++) await conversationWith(100, 1);
    expect((await c.query('select public.widget_typical_reply_minutes($1) m', [company])).rows[0].m).toBe(6);
    expect(await minutes()).toBe(1);
  });
});
