// The send's database work, on deterministic figures: function calls and rate-limit rows read per send (issue 15),
// and the guarantees the leaner send keeps (limits of both buckets, bookkeeping, the two broadcasts).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';
import { createWorld, type World } from './fixtures.ts';

const ORIGIN = 'https://shop.example';
let c: pg.Client;
let admin: pg.Client;
let su: pg.Client; // track_functions is a superuser setting: the measured sends run on this connection
let w: World;
let key: string;

beforeAll(async () => {
  c = await db();
  admin = await db('supabase_admin');
  su = await db('supabase_admin');
  w = await createWorld(c);
  key = (await c.query(`update public.widget_configs set allowed_origins = array[$2] where company_id = $1 returning widget_key`, [w.companyX, ORIGIN])).rows[0]
    .widget_key;
});

afterAll(async () => {
  await c.end();
  await su.end();
});

/** widget_send_message as visitor A into their conversation, from one address, with the given limits. */
function send(id: string, ip: string, perMinute = 1000, ipPerMinute = 1000, conversation = w.convA, on = c) {
  return on.query('select public.widget_send_message($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) as r', [
    key,
    ORIGIN,
    w.users.visitorA,
    conversation,
    id,
    'cost probe',
    null,
    ip,
    perMinute,
    ipPerMinute,
  ]);
}

/** Runs one send in a transaction that is rolled back, returning what the transaction's statistics saw. */
async function measured(ip: string) {
  await su.query('begin');
  try {
    await su.query(`set local track_functions = 'all'`);
    await su.query('select setseed(0.25)'); // no 1 % pruning in this send: the rows read are the count's alone
    await send(randomUUID(), ip, 1000, 1000, w.convA, su);
    const fns = (await su.query(`select schemaname || '.' || funcname as name, calls::int from pg_stat_xact_user_functions order by 1`)).rows as {
      name: string;
      calls: number;
    }[];
    const hits = (await su.query(`select coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) as n from pg_stat_xact_user_tables where relname = 'widget_rate_limit_hits'`))
      .rows[0];
    return { fns, hitsRead: Number(hits?.n ?? 0) };
  } finally {
    await su.query('rollback');
  }
}

/** The statements the executor ran for one send (auto_explain, nested statements included), in a rolled-back transaction. */
async function statementsOfASend(ip: string): Promise<string[]> {
  const plans: string[] = [];
  const c = admin; // loading auto_explain takes the superuser
  const onNotice = (n: { message?: string }) => {
    if (n.message?.startsWith('duration:')) plans.push(n.message);
  };
  await c.query('begin');
  try {
    await c.query(`load 'auto_explain'`);
    await c.query(`set local auto_explain.log_min_duration = 0`);
    await c.query(`set local auto_explain.log_nested_statements = on`);
    await c.query(`set local auto_explain.log_level = notice`);
    await c.query('select setseed(0.25)');
    c.on('notice', onNotice);
    await send(randomUUID(), ip, 1000, 1000, w.convA, c);
  } finally {
    c.off('notice', onNotice);
    await c.query('rollback');
  }
  // Not counted: the top-level call itself, and the stand-in's own NOTIFY under realtime.messages (hosted Realtime
  // reads the table's changes instead).
  return plans.filter((p) => !p.includes('widget_send_message($1') && !p.includes('local_supabase_realtime'));
}

describe('a visitor send', () => {
  it('runs at most 19 statements, triggers and broadcasts included', async () => {
    const plans = await statementsOfASend(`198.51.100.${200 + Math.floor(Math.random() * 50)}`);
    // Before: 29 (see docs/decisions/0003-send-cost.md).
    expect(plans.length, plans.join('\n---\n')).toBeLessThanOrEqual(19);
  });

  it('calls eight functions: the send, one limit helper, the two message triggers, two payloads, two broadcasts', async () => {
    const { fns } = await measured(`198.51.100.${Math.floor(Math.random() * 200)}`);
    // realtime.send's own internals differ between hosted Realtime and the stand-in: only the calls count.
    const ours = fns.filter((f) => !f.name.startsWith('realtime.') || f.name === 'realtime.send');
    const calls = Object.fromEntries(ours.map((f) => [f.name, f.calls]));
    expect(calls).toEqual({
      'private.message_after_insert': 1,
      'private.message_before_insert': 1,
      'private.message_signal': 1,
      'private.visitor_message': 1,
      'private.widget_limit': 1,
      'public.widget_send_message': 1,
      'realtime.send': 2,
    });
    // Before: 16 calls (widget_company, two widget_rate_limit, company_topic, three no-op update triggers …).
    expect(ours.reduce((n, f) => n + f.calls, 0)).toBeLessThanOrEqual(8);
  });

  it('reads only the rate-limit hits inside the window, not the bucket’s whole day', async () => {
    const ip = '203.0.113.77';
    // A busy visitor's day: 2,000 hits in each bucket, all older than the 60 s window.
    await c.query(
      `insert into public.widget_rate_limit_hits (bucket, hit_at)
       select b, clock_timestamp() - make_interval(secs => 120 + g) from generate_series(1, 2000) g,
              unnest(array['message:visitor:' || $1, 'message:ip:' || $2]) b`,
      [w.users.visitorA, ip],
    );
    await c.query('analyze public.widget_rate_limit_hits');
    const { hitsRead } = await measured(ip);
    // Before: every hit of both buckets was fetched and filtered (8,001 rows counted for these 4,000 hits).
    expect(hitsRead).toBeLessThanOrEqual(2);
  });

  it('refuses a send when the address bucket is full and records no hit in either bucket', async () => {
    const ip = `192.0.2.${Math.floor(Math.random() * 200)}`;
    const visitorHits = `message:visitor:${w.users.visitorA}`;
    await c.query(`delete from public.widget_rate_limit_hits where bucket in ($1, $2)`, [visitorHits, `message:ip:${ip}`]);
    await send(randomUUID(), ip, 5, 2);
    await send(randomUUID(), ip, 5, 2);
    const refused = await send(randomUUID(), ip, 5, 2).catch((e: { code: string; detail: string }) => e);
    expect((refused as { code: string }).code).toBe('PLR29');
    expect(Number((refused as { detail: string }).detail)).toBeGreaterThanOrEqual(1);
    const counts = (await c.query(`select bucket, count(*)::int n from public.widget_rate_limit_hits where bucket in ($1, $2) group by 1`, [visitorHits, `message:ip:${ip}`]))
      .rows;
    expect(Object.fromEntries(counts.map((r) => [r.bucket, r.n]))).toEqual({ [visitorHits]: 2, [`message:ip:${ip}`]: 2 });
    // The visitor's own limit answers first when both are full.
    const both = await send(randomUUID(), ip, 2, 2).catch((e: { code: string }) => e);
    expect((both as { code: string }).code).toBe('PLR29');
  });

  it('keeps the bookkeeping and sends exactly the two message.created broadcasts', async () => {
    const before = (await c.query(`select unread_count, updated_at, clock_timestamp() as t from public.conversations where id = $1`, [w.convA])).rows[0];
    const id = randomUUID();
    const { rows } = await send(id, '192.0.2.250');
    expect(rows[0].r.created).toBe(true);
    expect(rows[0].r.message).toMatchObject({ id, author_name: 'A', company_id: w.companyX, sender_kind: 'visitor' });
    const after = (await c.query(`select unread_count, updated_at, last_message_preview, visitor_last_read_message_id from public.conversations where id = $1`, [w.convA]))
      .rows[0];
    expect(after).toMatchObject({ unread_count: before.unread_count + 1, last_message_preview: 'cost probe', visitor_last_read_message_id: id });
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());
    const topic = (await c.query(`select realtime_topic from public.companies where id = $1`, [w.companyX])).rows[0].realtime_topic;
    const sent = (
      await c.query(`select topic, event from realtime.messages where inserted_at >= $1::timestamptz at time zone 'utc' and topic in ($2, $3) order by topic`, [
        before.t,
        `conversation:${w.convA}`,
        topic,
      ])
    ).rows;
    expect(sent).toEqual(
      [
        { topic: `conversation:${w.convA}`, event: 'message.created' },
        { topic, event: 'message.created' },
      ].sort((a, b) => a.topic.localeCompare(b.topic)),
    );
    // A replay answers from the database: no second row, no broadcast, no hit.
    const replay = await send(id, '192.0.2.250');
    expect(replay.rows[0].r).toMatchObject({ created: false, message: { id } });
  });

  it('answers a refused widget PLW04 and another visitor’s conversation PLC04, writing nothing', async () => {
    const wrongOrigin = await c
      .query('select public.widget_send_message($1, $2, $3, $4, $5, $6, null, $7, 100, 100)', [key, 'https://evil.example', w.users.visitorA, w.convA, randomUUID(), 'x', '192.0.2.9'])
      .catch((e: { code: string }) => e);
    expect((wrongOrigin as { code: string }).code).toBe('PLW04');
    const notMine = await send(randomUUID(), '192.0.2.9', 100, 100, w.convB).catch((e: { code: string }) => e);
    expect((notMine as { code: string }).code).toBe('PLC04');
    const hits = (await c.query(`select count(*)::int n from public.widget_rate_limit_hits where bucket = 'message:ip:192.0.2.9'`)).rows[0].n;
    expect(hits).toBe(0);
  });
});
