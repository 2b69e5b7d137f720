// The RLS matrix: every table × every actor × select/insert/update/delete, against real Postgres with the
// migrations applied. Expected outcomes are the table below; every denial is asserted (an error for a refused
// statement, zero rows and unchanged data where RLS hides the row).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { ACTORS, type Actor, attempt, becomeActor, createWorld, type Outcome, type World } from './fixtures.ts';

let c: pg.Client;
let w: World;

beforeAll(async () => {
  c = await db();
  w = await createWorld(c);
});
afterAll(async () => {
  await c.end();
});

type Op = 'select' | 'insert' | 'update' | 'delete';
//                                 anon     visitorA  visitorB  agentX   adminX   agentY   service
const row = (...v: Outcome[]) => Object.fromEntries(ACTORS.map((a, i) => [a, v[i]!])) as Record<Actor, Outcome>;

const EXPECTED: Record<string, Record<Op, Record<Actor, Outcome>>> = {
  companies: {
    select: row('error', 0, 0, 1, 1, 0, 1),
    insert: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
    update: row('error', 'none', 'none', 'none', 'ok', 'none', 'ok'),
    delete: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
  },
  company_members: {
    select: row('error', 0, 0, 2, 2, 0, 2),
    // Nobody inserts memberships directly: the invitee accepts an invitation (public.accept_invitation).
    insert: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
    update: row('error', 'none', 'none', 'none', 'ok', 'none', 'ok'),
    delete: row('error', 'none', 'none', 'none', 'ok', 'none', 'ok'),
  },
  widget_configs: {
    select: row('error', 0, 0, 1, 1, 0, 1),
    insert: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
    update: row('error', 'none', 'none', 'none', 'ok', 'none', 'ok'),
    delete: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
  },
  visitors: {
    select: row('error', 1, 1, 2, 2, 0, 2),
    insert: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
    update: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
    delete: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
  },
  conversations: {
    select: row('error', 1, 1, 2, 2, 0, 2),
    insert: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
    update: row('error', 'none', 'none', 'ok', 'ok', 'none', 'ok'),
    delete: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
  },
  messages: {
    select: row('error', 2, 1, 3, 3, 0, 3),
    insert: row('error', 'error', 'error', 'ok', 'ok', 'error', 'ok'),
    update: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
    delete: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
  },
};

/** The statements each cell runs (fixture ids bound as parameters), and how to check "unchanged". */
function statements(table: string, actor: Actor): Record<Op, { sql: string; params: unknown[]; unchanged?: () => Promise<boolean> }> {
  const self = actor === 'anon' || actor === 'service' ? w.users.agentX : w.users[actor];
  const same = (sql: string, params: unknown[], expected: unknown) => async () => (await c.query(sql, params)).rows[0]?.v === expected;
  switch (table) {
    case 'companies':
      return {
        select: { sql: 'select count(*) as n from public.companies where id = $1', params: [w.companyX] },
        insert: { sql: `insert into public.companies (name) values ('New')`, params: [] },
        update: { sql: `update public.companies set name = 'Renamed' where id = $1`, params: [w.companyX], unchanged: same('select name as v from public.companies where id = $1', [w.companyX], 'X') },
        delete: { sql: 'delete from public.companies where id = $1', params: [w.companyX] },
      };
    case 'company_members':
      return {
        select: { sql: 'select count(*) as n from public.company_members where company_id = $1', params: [w.companyX] },
        insert: { sql: `insert into public.company_members (company_id, user_id, role, display_name) values ($1, $2, 'agent', 'New')`, params: [w.companyX, w.users.agentY] },
        update: {
          sql: `update public.company_members set display_name = 'Changed' where company_id = $1 and user_id = $2`,
          params: [w.companyX, w.users.agentX],
          unchanged: same('select display_name as v from public.company_members where company_id = $1 and user_id = $2', [w.companyX, w.users.agentX], 'Agent X'),
        },
        delete: {
          sql: 'delete from public.company_members where company_id = $1 and user_id = $2',
          params: [w.companyX, w.users.agentX],
          unchanged: same('select count(*)::int as v from public.company_members where company_id = $1', [w.companyX], 2),
        },
      };
    case 'widget_configs':
      return {
        select: { sql: 'select count(*) as n from public.widget_configs where company_id = $1', params: [w.companyX] },
        insert: { sql: `insert into public.widget_configs (company_id, widget_key) values ($1, $2)`, params: [w.companyZ, `pk_z_${randomUUID().slice(0, 8)}`] },
        update: {
          sql: `update public.widget_configs set title = 'Changed' where company_id = $1`,
          params: [w.companyX],
          unchanged: same('select title as v from public.widget_configs where company_id = $1', [w.companyX], 'Chat with us'),
        },
        delete: { sql: 'delete from public.widget_configs where company_id = $1', params: [w.companyX] },
      };
    case 'visitors':
      return {
        select: { sql: 'select count(*) as n from public.visitors where company_id = $1', params: [w.companyX] },
        insert: { sql: `insert into public.visitors (company_id, user_id) values ($1, $2)`, params: [w.companyY, w.users.visitorA] },
        update: { sql: `update public.visitors set name = 'Changed' where id = $1`, params: [w.visitorA] },
        delete: { sql: 'delete from public.visitors where id = $1', params: [w.visitorA] },
      };
    case 'conversations':
      return {
        select: { sql: 'select count(*) as n from public.conversations where company_id = $1', params: [w.companyX] },
        insert: { sql: `insert into public.conversations (company_id, visitor_id) values ($1, $2)`, params: [w.companyX, w.visitorA] },
        update: {
          sql: `update public.conversations set status = 'pending' where id = $1`,
          params: [w.convA],
          unchanged: same('select status::text as v from public.conversations where id = $1', [w.convA], 'open'),
        },
        delete: { sql: 'delete from public.conversations where id = $1', params: [w.convA] },
      };
    case 'messages':
      return {
        select: { sql: 'select count(*) as n from public.messages where company_id = $1', params: [w.companyX] },
        insert: {
          sql: `insert into public.messages (id, conversation_id, sender_kind, author_id, body) values ($1, $2, 'agent', $3, 'reply')`,
          params: [randomUUID(), w.convA, self],
        },
        update: { sql: `update public.messages set body = 'changed' where conversation_id = $1`, params: [w.convA] },
        delete: { sql: 'delete from public.messages where conversation_id = $1', params: [w.convA] },
      };
    default:
      throw new Error(`no statements for ${table}`);
  }
}

describe('RLS matrix', () => {
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

  it('widget_rate_limit_hits: only the service role reads or writes it', async () => {
    const actual: Record<string, Outcome[]> = {};
    for (const actor of ACTORS) {
      actual[actor] = [
        await attempt(c, w, actor, 'select', 'select count(*) as n from public.widget_rate_limit_hits', []),
        await attempt(c, w, actor, 'write', `insert into public.widget_rate_limit_hits (bucket) values ('test')`, []),
        await attempt(c, w, actor, 'write', `select public.widget_rate_limit('test', 5, 60)`, []),
      ];
    }
    const denied: Outcome[] = ['error', 'error', 'error'];
    expect(actual).toEqual({ anon: denied, visitorA: denied, visitorB: denied, agentX: denied, adminX: denied, agentY: denied, service: [expect.any(Number), 'ok', 'ok'] });
  });

  it('has row-level security on for every table in public', async () => {
    const { rows } = await c.query(`select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity`);
    expect(rows.map((r) => r.relname)).toEqual([]);
  });

  it('refuses a visitor message written directly (visitors write only through Edge Functions)', async () => {
    const res = await attempt(
      c,
      w,
      'visitorA',
      'write',
      `insert into public.messages (id, conversation_id, sender_kind, author_id, body) values ($1, $2, 'visitor', $3, 'sneaky')`,
      [randomUUID(), w.convA, w.users.visitorA],
    );
    expect(res).toBe('error');
  });

  it('refuses an agent message posing as another author or as a bot', async () => {
    for (const [kind, author] of [['agent', w.users.adminX], ['bot', w.users.agentX]] as const) {
      const res = await attempt(
        c,
        w,
        'agentX',
        'write',
        `insert into public.messages (id, conversation_id, sender_kind, author_id, body) values ($1, $2, $3, $4, 'x')`,
        [randomUUID(), w.convA, kind, author],
      );
      expect(res).toBe('error');
    }
  });

  it('refuses to assign a conversation to someone outside the company', async () => {
    await c.query('begin');
    try {
      await becomeActor(c, w, 'agentX');
      await expect(c.query('update public.conversations set assignee_id = $1 where id = $2', [w.users.agentY, w.convA])).rejects.toMatchObject({ code: '23514' });
    } finally {
      await c.query('rollback');
    }
  });
});

describe('realtime topic authorization (Realtime\'s own check: probe rows read and written as the user)', () => {
  type Access = { readBroadcast: boolean; readPresence: boolean; writeBroadcast: boolean; writePresence: boolean };
  async function access(actor: Actor, topic: string): Promise<Access> {
    const out: Partial<Access> = {};
    for (const ext of ['broadcast', 'presence'] as const) {
      await c.query('begin');
      try {
        const id = randomUUID();
        await c.query(`insert into realtime.messages (id, topic, extension, private, payload) values ($1, $2, $3, true, '{}')`, [id, topic, ext]);
        await becomeActor(c, w, actor);
        await c.query(`select set_config('realtime.topic', $1, true)`, [topic]);
        const read = await c.query('select 1 from realtime.messages where id = $1', [id]).then((r) => r.rowCount === 1, () => false);
        out[ext === 'broadcast' ? 'readBroadcast' : 'readPresence'] = read;
      } finally {
        await c.query('rollback');
      }
      await c.query('begin');
      try {
        await becomeActor(c, w, actor);
        await c.query(`select set_config('realtime.topic', $1, true)`, [topic]);
        const wrote = await c
          .query(`insert into realtime.messages (topic, extension, private, payload) values ($1, $2, true, '{}')`, [topic, ext])
          .then(() => true, (err) => {
            if (err.code !== '42501') throw err;
            return false;
          });
        out[ext === 'broadcast' ? 'writeBroadcast' : 'writePresence'] = wrote;
      } finally {
        await c.query('rollback');
      }
    }
    return out as Access;
  }
  const none = { readBroadcast: false, readPresence: false, writeBroadcast: false, writePresence: false };
  // No client may send a broadcast anywhere: server events come only from the database.
  const visitorOfConv = { readBroadcast: true, readPresence: true, writeBroadcast: false, writePresence: true };
  const presenceWatcher = { readBroadcast: false, readPresence: true, writeBroadcast: false, writePresence: false };
  const member = { readBroadcast: true, readPresence: true, writeBroadcast: false, writePresence: true };
  //                                   anon   visitorA visitorB agentX adminX agentY (service bypasses RLS)
  const EXPECTED_TOPICS: Record<string, Record<Exclude<Actor, 'service'>, Access>> = {
    conversationA: { anon: none, visitorA: visitorOfConv, visitorB: none, agentX: presenceWatcher, adminX: presenceWatcher, agentY: none },
    companyX: { anon: none, visitorA: none, visitorB: none, agentX: member, adminX: member, agentY: none },
    companyY: { anon: none, visitorA: none, visitorB: none, agentX: none, adminX: none, agentY: member },
    companyXWithoutKey: { anon: none, visitorA: none, visitorB: none, agentX: none, adminX: none, agentY: none },
    companyXStaleKey: { anon: none, visitorA: none, visitorB: none, agentX: none, adminX: none, agentY: none },
    malformed: { anon: none, visitorA: none, visitorB: none, agentX: none, adminX: none, agentY: none },
  };
  let topics: Record<string, string> = {};
  beforeAll(async () => {
    const { rows } = await c.query('select id, realtime_topic from public.companies where id = any($1::uuid[])', [[w.companyX, w.companyY]]);
    const topicOfCompany = new Map(rows.map((r) => [r.id as string, r.realtime_topic as string]));
    topics = {
      conversationA: `conversation:${w.convA}`,
      companyX: topicOfCompany.get(w.companyX)!,
      companyY: topicOfCompany.get(w.companyY)!,
      companyXWithoutKey: `company:${w.companyX}`,
      companyXStaleKey: `company:${w.companyX}:${randomUUID()}`,
      malformed: 'company:not-a-uuid',
    };
  });
  const topicOf = (name: string) => topics[name]!;

  for (const name of Object.keys(EXPECTED_TOPICS)) {
    it(`${name}: join (read) and send (write) for broadcast and presence by each actor`, async () => {
      const actual: Record<string, Access> = {};
      for (const actor of ACTORS.filter((a) => a !== 'service') as Exclude<Actor, 'service'>[]) actual[actor] = await access(actor, topicOf(name));
      expect(actual).toEqual(EXPECTED_TOPICS[name]);
    });
  }
});

describe('RLS matrix: attachments and their objects in storage.objects', () => {
  // Files of conversation A and B (company X), one reservation not sent yet, and an object whose path names
  // company Y with conversation A (a forged path: the conversation is X's, so nobody but the service reads it).
  let paths: string[] = [];
  let reservedPath = '';
  beforeAll(async () => {
    const folder = (company: string, conv: string) => `company/${company}/conversation/${conv}`;
    const [a, b, pending, forged] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const aPath = `${folder(w.companyX, w.convA)}/${a}/a.png`;
    const bPath = `${folder(w.companyX, w.convB)}/${b}/b.pdf`;
    reservedPath = `${folder(w.companyX, w.convA)}/${pending}/later.txt`;
    const forgedPath = `${folder(w.companyY, w.convA)}/${forged}/forged.png`;
    paths = [aPath, bPath, reservedPath, forgedPath];
    for (const p of [aPath, bPath, forgedPath]) {
      await c.query(`insert into storage.objects (bucket_id, name, metadata) values ('attachments', $1, '{"mimetype": "image/png", "size": 10}')`, [p]);
    }
    const msg = async (conv: string) => (await c.query('select id from public.messages where conversation_id = $1 limit 1', [conv])).rows[0].id;
    await c.query(
      `insert into public.attachments (id, company_id, conversation_id, message_id, uploader_id, object_path, name, content_type, size_bytes) values
         ($1, $4, $5, $7, $9, $10, 'a.png', 'image/png', 10), ($2, $4, $6, $8, $11, $12, 'b.pdf', 'application/pdf', 10),
         ($3, $4, $5, null, $9, $13, 'later.txt', 'text/plain', 10)`,
      [a, b, pending, w.companyX, w.convA, w.convB, await msg(w.convA), await msg(w.convB), w.users.visitorA, aPath, w.users.visitorB, bPath, reservedPath],
    );
  });
  const OBJECTS: Record<Op, Record<Actor, Outcome>> = {
    // Visitors their own conversation's file, members their company's (never the forged path), no writes by anyone.
    select: row(0, 1, 1, 2, 2, 0, 3),
    insert: row('error', 'error', 'error', 'error', 'error', 'error', 'ok'),
    update: row('none', 'none', 'none', 'none', 'none', 'none', 'ok'),
    delete: row('none', 'none', 'none', 'none', 'none', 'none', 'ok'),
  };
  const objectStatements = (actor: Actor): Record<Op, { sql: string; params: unknown[]; unchanged?: () => Promise<boolean> }> => {
    const count = async () => Number((await c.query('select count(*) from storage.objects where name = any($1)', [paths])).rows[0].count) === 3;
    const own = actor === 'visitorB' ? w.convB : w.convA;
    return {
      select: { sql: 'select count(*) as n from storage.objects where name = any($1)', params: [paths] },
      insert: {
        sql: `insert into storage.objects (bucket_id, name) values ('attachments', $1)`,
        params: [`company/${w.companyX}/conversation/${own}/${randomUUID()}/mine.png`],
      },
      update: {
        sql: `update storage.objects set metadata = '{"mimetype": "text/html"}' where name = any($1)`,
        params: [paths],
        unchanged: async () => (await c.query(`select count(*) from storage.objects where name = any($1) and metadata->>'mimetype' = 'image/png'`, [paths])).rows[0].count === '3',
      },
      delete: { sql: 'delete from storage.objects where name = any($1)', params: [paths], unchanged: count },
    };
  };
  for (const op of ['select', 'insert', 'update', 'delete'] as Op[]) {
    it(`storage.objects (attachments bucket): ${op} by each actor`, async () => {
      const actual: Record<string, Outcome> = {};
      for (const actor of ACTORS) {
        const s = objectStatements(actor)[op];
        actual[actor] = await attempt(c, w, actor, op === 'select' ? 'select' : 'write', s.sql, s.params, s.unchanged);
      }
      expect(actual).toEqual(OBJECTS[op]);
    });
  }

  it('public.attachments: sent files readable by their visitor and company, reservations by nobody, writes by the service alone', async () => {
    const actual: Record<string, Outcome[]> = {};
    for (const actor of ACTORS) {
      actual[actor] = [
        await attempt(c, w, actor, 'select', 'select count(*) as n from public.attachments where company_id = $1', [w.companyX]),
        await attempt(c, w, actor, 'write', `update public.attachments set message_id = null where object_path = $1`, [reservedPath]),
        await attempt(c, w, actor, 'write', 'delete from public.attachments where company_id = $1', [w.companyX]),
        await attempt(c, w, actor, 'write', 'select count(*) as n from public.attachment_deletions', []),
      ];
    }
    const denied: Outcome[] = ['error', 'error', 'error', 'error'];
    expect(actual).toEqual({
      anon: denied,
      visitorA: [1, 'error', 'error', 'error'],
      visitorB: [1, 'error', 'error', 'error'],
      agentX: [2, 'error', 'error', 'error'],
      adminX: [2, 'error', 'error', 'error'],
      agentY: [0, 'error', 'error', 'error'],
      service: [3, 'ok', 'ok', 'ok'],
    });
  });

  it('refuses every attachment RPC to anyone but the service role', async () => {
    const calls = [
      `select public.widget_attachment_begin('pk_x', 'https://x', $1, $2, gen_random_uuid(), 'a.txt', 'text/plain', 3, null, null, 10, 10)`,
      `select public.agent_attachment_begin($1, $2, gen_random_uuid(), 'a.txt', 'text/plain', 3, null, 10)`,
      `select public.agent_send_message_with_files($1, $2, gen_random_uuid(), 'x', '[]')`,
    ];
    for (const actor of ACTORS.filter((a) => a !== 'service')) {
      for (const sql of calls) expect(await attempt(c, w, actor, 'write', sql, [w.users.agentX, w.convA]), `${actor}: ${sql}`).toBe('error');
    }
  });
});
