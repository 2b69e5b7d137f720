// The RLS matrix for private notes (rows of messages with is_private) and canned responses: every actor, every
// statement, each denial asserted (an error, or zero rows with the data unchanged).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { ACTORS, type Actor, attempt, becomeActor, createWorld, type Outcome, type World } from './fixtures.ts';

let c: pg.Client;
let w: World;
let noteA: string;
let cannedX: string;

beforeAll(async () => {
  c = await db();
  w = await createWorld(c);
  noteA = (
    await c.query(`insert into public.messages (conversation_id, sender_kind, author_id, body, is_private) values ($1, 'agent', $2, 'internal: A is a VIP', true) returning id`, [
      w.convA,
      w.users.agentX,
    ])
  ).rows[0].id;
  cannedX = (await c.query(`insert into public.canned_responses (company_id, shortcut, title, body) values ($1, 'hi', 'Greeting', 'Hi {{visitor.name}}!') returning id`, [w.companyX])).rows[0]
    .id;
});
afterAll(async () => {
  await c.end();
});

const row = (...v: Outcome[]) => Object.fromEntries(ACTORS.map((a, i) => [a, v[i]!])) as Record<Actor, Outcome>;
type Op = 'select' | 'insert' | 'update' | 'delete';

//        anon     visitorA visitorB agentX   adminX   agentY   service
const EXPECTED: Record<string, Record<Op, Record<Actor, Outcome>>> = {
  notes: {
    // Visitor A's conversation holds the note: A reads their two messages but not it.
    select: row('error', 0, 0, 1, 1, 0, 1),
    insert: row('error', 'error', 'error', 'ok', 'ok', 'error', 'ok'),
    update: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
    delete: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
  },
  canned_responses: {
    select: row('error', 0, 0, 1, 1, 0, 1),
    insert: row('error', 'error', 'error', 'error', 'ok', 'error', 'ok'),
    update: row('error', 'none', 'none', 'none', 'ok', 'none', 'ok'),
    delete: row('error', 'none', 'none', 'none', 'ok', 'none', 'ok'),
  },
};

function statements(table: string, actor: Actor): Record<Op, { sql: string; params: unknown[]; unchanged?: () => Promise<boolean> }> {
  const self = actor === 'anon' || actor === 'service' ? w.users.agentX : w.users[actor];
  const count = (sql: string, params: unknown[], n: number) => async () => Number((await c.query(sql, params)).rows[0].n) === n;
  if (table === 'notes') {
    return {
      select: { sql: 'select count(*) as n from public.messages where conversation_id = $1 and is_private', params: [w.convA] },
      insert: {
        sql: `insert into public.messages (id, conversation_id, sender_kind, author_id, body, is_private) values ($1, $2, 'agent', $3, 'a note', true)`,
        params: [randomUUID(), w.convA, self],
      },
      update: { sql: 'update public.messages set is_private = false where id = $1', params: [noteA] },
      delete: { sql: 'delete from public.messages where id = $1', params: [noteA] },
    };
  }
  return {
    select: { sql: 'select count(*) as n from public.canned_responses where company_id = $1', params: [w.companyX] },
    insert: { sql: `insert into public.canned_responses (company_id, shortcut, title, body) values ($1, 'new', 'New', 'Text')`, params: [w.companyX] },
    update: {
      sql: `update public.canned_responses set body = 'Changed' where id = $1`,
      params: [cannedX],
      unchanged: count(`select count(*) as n from public.canned_responses where id = $1 and body = 'Hi {{visitor.name}}!'`, [cannedX], 1),
    },
    delete: { sql: 'delete from public.canned_responses where id = $1', params: [cannedX], unchanged: count('select count(*) as n from public.canned_responses where id = $1', [cannedX], 1) },
  };
}

describe('notes and canned responses RLS matrix', () => {
  for (const table of Object.keys(EXPECTED)) {
    for (const op of ['select', 'insert', 'update', 'delete'] as Op[]) {
      it(`${table}: ${op} by each actor`, async () => {
        const actual: Record<string, Outcome> = {};
        for (const actor of ACTORS) {
          const s = statements(table, actor)[op];
          actual[actor] = await attempt(c, w, actor, op === 'select' ? 'select' : 'write', s.sql, s.params, s.unchanged);
        }
        expect(actual).toEqual(EXPECTED[table]![op]);
      });
    }
  }

  it("still shows visitor A their conversation's replies, only the note hidden", async () => {
    expect(await attempt(c, w, 'visitorA', 'select', 'select count(*) as n from public.messages where conversation_id = $1', [w.convA])).toBe(2);
    expect(await attempt(c, w, 'agentX', 'select', 'select count(*) as n from public.messages where conversation_id = $1', [w.convA])).toBe(3);
  });

  it('refuses a note posing as the visitor or the bot, from any writer', async () => {
    await expect(
      c.query(`insert into public.messages (conversation_id, sender_kind, author_id, body, is_private) values ($1, 'visitor', $2, 'x', true)`, [w.convA, w.users.visitorA]),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(c.query(`insert into public.messages (conversation_id, sender_kind, body, is_private) values ($1, 'bot', 'x', true)`, [w.convA])).rejects.toMatchObject({
      code: '23514',
    });
  });

  it("leaves the conversation row (which its visitor reads) as it was: no preview, time, unread or read mark", async () => {
    const read = 'select last_message_preview, last_message_at, unread_count, agent_last_read_message_id, updated_at from public.conversations where id = $1';
    const before = (await c.query(read, [w.convB])).rows[0];
    await c.query(`insert into public.messages (conversation_id, sender_kind, author_id, body, is_private) values ($1, 'agent', $2, 'internal only', true)`, [
      w.convB,
      w.users.agentX,
    ]);
    expect((await c.query(read, [w.convB])).rows[0]).toEqual(before);
  });

  it("refuses an admin's canned response for another company, a bad shortcut and a duplicate one", async () => {
    expect(
      await attempt(c, w, 'adminX', 'write', `insert into public.canned_responses (company_id, shortcut, title, body) values ($1, 'x', 'X', 'X')`, [w.companyY]),
    ).toBe('error');
    for (const shortcut of ['Has Space', '/slash', '', 'x'.repeat(33)]) {
      await expect(c.query(`insert into public.canned_responses (company_id, shortcut, title, body) values ($1, $2, 'T', 'B')`, [w.companyX, shortcut])).rejects.toMatchObject({
        code: '23514',
      });
    }
    await expect(c.query(`insert into public.canned_responses (company_id, shortcut, title, body) values ($1, 'hi', 'T', 'B')`, [w.companyX])).rejects.toMatchObject({
      code: '23505',
    });
  });

  it('an admin cannot move a canned response to another company (company_id is not writable)', async () => {
    await c.query('begin');
    try {
      await becomeActor(c, w, 'adminX');
      await expect(c.query('update public.canned_responses set company_id = $1 where id = $2', [w.companyY, cannedX])).rejects.toMatchObject({ code: '42501' });
    } finally {
      await c.query('rollback');
    }
  });
});
