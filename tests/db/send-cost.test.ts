// The send's database work, on deterministic figures (ADR 0003): how many SQL statements one visitor message
// executes inside widget_send_message (its triggers and broadcasts included), counted by auto_explain's nested
// statement log, and whether the rate-limit count is bounded by its index. Timings are `npm run bench:hops`.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../support/stack.ts';

const ORIGIN = 'http://127.0.0.1:3001';
let su: pg.Client;
let user: string;
let conversation: string;

/** Every statement a call executes (nested ones included), with its plan, as auto_explain logs them. */
async function statementsOf(sql: string, values: unknown[]): Promise<string[]> {
  const logged: string[] = [];
  const listen = (n: { message?: string }) => {
    if (n.message?.startsWith('duration:')) logged.push(n.message);
  };
  su.on('notice', listen);
  try {
    await su.query(sql, values);
  } finally {
    su.off('notice', listen);
  }
  return logged.filter((m) => !m.includes(sql.slice(0, 40))); // the call itself is not one of its statements
}

const send = () =>
  statementsOf(`select public.widget_send_message('pk_demo_acme', $1, $2, $3, $4, 'hello', null, '192.0.2.77', 1000000, 1000000)`, [
    ORIGIN,
    user,
    conversation,
    randomUUID(),
  ]);

beforeAll(async () => {
  su = await db('supabase_admin');
  user = randomUUID();
  await su.query(`insert into auth.users (id, aud, role, is_anonymous) values ($1, 'authenticated', 'authenticated', true)`, [user]);
  const { rows } = await su.query(
    `select public.widget_start_session('pk_demo_acme', $1, $2, 'Cost', null, null, null, null, null, null, null, null, '192.0.2.77', 100, 100, 1000000, 1000000) as r`,
    [ORIGIN, user],
  );
  conversation = rows[0].r.conversation.id;
  await su.query(`load 'auto_explain'`);
  await su.query(
    `set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice;
     set auto_explain.log_analyze = off; set client_min_messages = notice`,
  );
  await send(); // warm: plans cached, the visitor just seen
});

afterAll(async () => {
  await su.query('reset client_min_messages; reset auto_explain.log_min_duration');
  await su.end();
});

describe('the cost of one visitor message in the database', () => {
  it('executes at most 23 statements, triggers and both broadcasts included (31 before ADR 0003)', async () => {
    const statements = await send();
    expect(statements.length).toBeGreaterThan(10); // the log is on: the message, its bookkeeping, its broadcasts
    expect(statements.length).toBeLessThanOrEqual(23);
  });

  it('counts recent rate-limit hits through the index with the cutoff as its bound, not a filter', async () => {
    const counts = (await send()).filter((s) => s.includes('widget_rate_limit_hits') && s.includes('order by hit_at desc'));
    expect(counts.length).toBe(1); // both buckets in one statement
    expect(counts[0]).toMatch(/Index Cond: \(\(bucket = .+\) AND \(hit_at > .+\)\)/);
    expect(counts[0]).not.toMatch(/Filter: \(hit_at >/);
  });

  it('reads the widget, the conversation, the visitor and a replayed message in one statement', async () => {
    const reads = (await send()).filter((s) => /from public\.widget_configs/i.test(s));
    expect(reads.length).toBe(1);
    expect(reads[0]).toMatch(/public\.conversations/);
  });
});
