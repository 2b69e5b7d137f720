// Labels and conversation labels: the RLS matrix for every actor, the company checks of the insert trigger, and
// the company-topic signals that keep other agents' inboxes live.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { ACTORS, type Actor, attempt, becomeActor, createWorld, type Outcome, type World } from './fixtures.ts';

let c: pg.Client;
let w: World;
let labelX: string;
let labelY: string;

beforeAll(async () => {
  c = await db();
  w = await createWorld(c);
  labelX = (await c.query(`insert into public.labels (company_id, name, color) values ($1, 'Billing', '#1d4ed8') returning id`, [w.companyX])).rows[0].id;
  labelY = (await c.query(`insert into public.labels (company_id, name, color) values ($1, 'Other', '#15803d') returning id`, [w.companyY])).rows[0].id;
  await c.query('insert into public.conversation_labels (conversation_id, label_id) values ($1, $2)', [w.convA, labelX]);
});
afterAll(async () => {
  await c.end();
});

const row = (...v: Outcome[]) => Object.fromEntries(ACTORS.map((a, i) => [a, v[i]!])) as Record<Actor, Outcome>;
type Op = 'select' | 'insert' | 'update' | 'delete';

//        anon     visitorA visitorB agentX   adminX   agentY   service
const EXPECTED: Record<string, Record<Op, Record<Actor, Outcome>>> = {
  labels: {
    select: row('error', 0, 0, 1, 1, 0, 1),
    insert: row('error', 'error', 'error', 'error', 'ok', 'error', 'ok'),
    update: row('error', 'none', 'none', 'none', 'ok', 'none', 'ok'),
    delete: row('error', 'none', 'none', 'none', 'ok', 'none', 'ok'),
  },
  conversation_labels: {
    select: row('error', 0, 0, 1, 1, 0, 1),
    insert: row('error', 'error', 'error', 'ok', 'ok', 'error', 'ok'),
    update: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
    delete: row('error', 'none', 'none', 'ok', 'ok', 'none', 'ok'),
  },
};

function statements(table: string): Record<Op, { sql: string; params: unknown[]; unchanged?: () => Promise<boolean> }> {
  const count = (sql: string, params: unknown[], n: number) => async () => Number((await c.query(sql, params)).rows[0].n) === n;
  if (table === 'labels') {
    return {
      select: { sql: 'select count(*) as n from public.labels where company_id = $1', params: [w.companyX] },
      insert: { sql: `insert into public.labels (company_id, name, color) values ($1, 'New', '#000000')`, params: [w.companyX] },
      update: {
        sql: `update public.labels set name = 'Renamed' where id = $1`,
        params: [labelX],
        unchanged: count(`select count(*) as n from public.labels where id = $1 and name = 'Billing'`, [labelX], 1),
      },
      delete: { sql: 'delete from public.labels where id = $1', params: [labelX], unchanged: count('select count(*) as n from public.labels where id = $1', [labelX], 1) },
    };
  }
  return {
    select: { sql: 'select count(*) as n from public.conversation_labels where conversation_id = $1', params: [w.convA] },
    insert: { sql: 'insert into public.conversation_labels (conversation_id, label_id) values ($1, $2)', params: [w.convB, labelX] },
    update: { sql: 'update public.conversation_labels set created_at = now() where conversation_id = $1', params: [w.convA] },
    delete: {
      sql: 'delete from public.conversation_labels where conversation_id = $1',
      params: [w.convA],
      unchanged: count('select count(*) as n from public.conversation_labels where conversation_id = $1', [w.convA], 1),
    },
  };
}

describe('labels RLS matrix', () => {
  for (const table of Object.keys(EXPECTED)) {
    for (const op of ['select', 'insert', 'update', 'delete'] as Op[]) {
      it(`${table}: ${op} by each actor`, async () => {
        const actual: Record<string, Outcome> = {};
        for (const actor of ACTORS) {
          const s = statements(table)[op];
          actual[actor] = await attempt(c, w, actor, op === 'select' ? 'select' : 'write', s.sql, s.params, s.unchanged);
        }
        expect(actual).toEqual(EXPECTED[table]![op]);
      });
    }
  }

  it("refuses an admin creating a label for another company and an agent labelling with another company's label", async () => {
    expect(await attempt(c, w, 'adminX', 'write', `insert into public.labels (company_id, name, color) values ($1, 'Sneaky', '#000000')`, [w.companyY])).toBe('error');
    await c.query('begin');
    try {
      await becomeActor(c, w, 'agentX');
      await expect(c.query('insert into public.conversation_labels (conversation_id, label_id) values ($1, $2)', [w.convB, labelY])).rejects.toMatchObject({ code: '23514' });
    } finally {
      await c.query('rollback');
    }
  });

  it('takes the company from the conversation and the author from the caller, whatever the writer sent', async () => {
    await c.query('begin');
    try {
      await becomeActor(c, w, 'agentX');
      const { rows } = await c.query('insert into public.conversation_labels (conversation_id, label_id) values ($1, $2) returning company_id, added_by', [w.convB, labelX]);
      expect(rows[0]).toEqual({ company_id: w.companyX, added_by: w.users.agentX });
      // company_id is not writable by agents at all.
      await c.query('savepoint s');
      await expect(
        c.query('insert into public.conversation_labels (conversation_id, label_id, company_id) values ($1, $2, $3)', [w.convA, labelX, w.companyY]),
      ).rejects.toMatchObject({ code: '42501' });
    } finally {
      await c.query('rollback');
    }
  });

  it('refuses colours that are not #rrggbb and names that clash ignoring case', async () => {
    await expect(c.query(`insert into public.labels (company_id, name, color) values ($1, 'Bad', 'red')`, [w.companyX])).rejects.toMatchObject({ code: '23514' });
    await expect(c.query(`insert into public.labels (company_id, name, color) values ($1, 'billing', '#ffffff')`, [w.companyX])).rejects.toMatchObject({ code: '23505' });
  });
});

describe('label signals on the company topic', () => {
  async function signalsSince(since: Date) {
    const { rows } = await c.query(
      `select event, payload from realtime.messages m join public.companies co on m.topic = co.realtime_topic
        where co.id = $2 and m.inserted_at >= $1::timestamptz at time zone 'utc' and m.event in ('label.changed', 'conversation.labeled')
        order by m.inserted_at, m.id`,
      [since.toISOString(), w.companyX],
    );
    return rows as { event: string; payload: Record<string, unknown> }[];
  }

  it('announces a label put on and taken off a conversation, and a label changed, to the company only', async () => {
    const since = (await c.query('select clock_timestamp() as t')).rows[0].t as Date;
    const label = randomUUID();
    await c.query(`insert into public.labels (id, company_id, name, color) values ($1, $2, 'Urgent', '#b91c1c')`, [label, w.companyX]);
    await c.query('insert into public.conversation_labels (conversation_id, label_id) values ($1, $2)', [w.convB, label]);
    await c.query('delete from public.conversation_labels where conversation_id = $1 and label_id = $2', [w.convB, label]);
    await c.query(`update public.labels set color = '#7e22ce' where id = $1`, [label]);
    expect(await signalsSince(since)).toEqual([
      { event: 'label.changed', payload: { id: label, name: 'Urgent', color: '#b91c1c', deleted: false } },
      // realtime.send adds the broadcast's own id to a payload without one.
      { event: 'conversation.labeled', payload: { id: expect.any(String), conversation_id: w.convB, label_id: label, added: true } },
      { event: 'conversation.labeled', payload: { id: expect.any(String), conversation_id: w.convB, label_id: label, added: false } },
      { event: 'label.changed', payload: { id: label, name: 'Urgent', color: '#7e22ce', deleted: false } },
    ]);
    const visitorTopics = await c.query(`select count(*)::int as n from realtime.messages where topic = $1 and event in ('label.changed', 'conversation.labeled')`, [
      `conversation:${w.convB}`,
    ]);
    expect(visitorTopics.rows[0].n).toBe(0);
  });
});
