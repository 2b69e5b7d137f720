// Conformance of the stand-in's pg_cron and pg_net (reference §9): the real extensions' tables and functions,
// jobs run by their owner and logged in cron.job_run_details, requests queued in net.http_request_queue and sent
// only after commit, answers (or errors) in net._http_response under the request's id.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../tests/support/stack.ts';
import { parseSchedule } from '../scheduler/cron-schedule.ts';

let postgres: pg.Client;
const received: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    res.writeHead(201, { 'Content-Type': 'application/json', 'X-Answer': 'yes' });
    res.end(JSON.stringify({ got: body.length }));
  });
});
let base = '';

/** Polls until `check` gives a value (the workers are asynchronous by design); fails after 20 s. */
async function until<T>(check: () => Promise<T | null | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await check();
    if (v !== null && v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached');
}

beforeAll(async () => {
  postgres = await db('postgres');
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await postgres.end();
  server.close();
});

describe('pg_cron stand-in', () => {
  it('parses cron fields, macros and second intervals as pg_cron does', () => {
    const at = (iso: string) => new Date(iso);
    const every5 = parseSchedule('*/5 * * * *') as { matches(d: Date): boolean };
    expect([every5.matches(at('2026-01-01T10:05:00Z')), every5.matches(at('2026-01-01T10:06:00Z'))]).toEqual([true, false]);
    const weekdays = parseSchedule('30 9 * * mon-fri') as { matches(d: Date): boolean };
    expect([weekdays.matches(at('2026-12-07T09:30:00Z')), weekdays.matches(at('2026-12-06T09:30:00Z'))]).toEqual([true, false]);
    expect((parseSchedule('@hourly') as { matches(d: Date): boolean }).matches(at('2026-01-01T03:00:00Z'))).toBe(true);
    expect(parseSchedule('10 seconds')).toEqual({ seconds: 10 });
    expect(() => parseSchedule('61 * * * *')).toThrow(/invalid/);
  });

  it('schedules by name (a second schedule of the name replaces it), refuses bad schedules, unschedules', async () => {
    const name = `conf-${Date.now()}`;
    const first = (await postgres.query(`select cron.schedule($1, '0 3 * * *', 'select 1') as id`, [name])).rows[0].id;
    const again = (await postgres.query(`select cron.schedule($1, '0 4 * * *', 'select 2') as id`, [name])).rows[0].id;
    expect(again).toBe(first);
    const { rows } = await postgres.query('select schedule, command, username, active, database from cron.job where jobname = $1', [name]);
    expect(rows).toEqual([{ schedule: '0 4 * * *', command: 'select 2', username: 'postgres', active: true, database: 'postgres' }]);
    await expect(postgres.query(`select cron.schedule('bad', 'every day', 'select 1')`)).rejects.toThrow(/invalid schedule/);
    expect((await postgres.query('select cron.unschedule($1::text) as ok', [name])).rows[0].ok).toBe(true);
    await expect(postgres.query('select cron.unschedule($1::text)', [name])).rejects.toThrow(/could not find valid entry/);
  });

  it("runs a due job as its owner and logs each run's outcome in cron.job_run_details", async () => {
    const table = `cron_conf_${Date.now()}`;
    await postgres.query(`create table public.${table} (who text)`);
    const ok = (await postgres.query(`select cron.schedule($1, '1 seconds', $2) as id`, [`${table}-ok`, `insert into public.${table} values (current_user)`])).rows[0].id;
    const bad = (await postgres.query(`select cron.schedule($1, '1 seconds', 'select 1/0') as id`, [`${table}-bad`])).rows[0].id;
    try {
      const run = await until(async () => (await postgres.query(`select * from cron.job_run_details where jobid = $1 and status = 'succeeded' limit 1`, [ok])).rows[0]);
      expect(run).toMatchObject({ username: 'postgres', database: 'postgres', command: `insert into public.${table} values (current_user)`, return_message: 'INSERT 1' });
      expect(run.end_time >= run.start_time).toBe(true);
      expect((await postgres.query(`select distinct who from public.${table}`)).rows).toEqual([{ who: 'postgres' }]);
      const failed = await until(async () => (await postgres.query(`select * from cron.job_run_details where jobid = $1 and status = 'failed' limit 1`, [bad])).rows[0]);
      expect(failed.return_message).toMatch(/division by zero/);
    } finally {
      await postgres.query('select cron.unschedule($1::bigint), cron.unschedule($2::bigint)', [ok, bad]);
      await postgres.query(`drop table public.${table}`);
    }
  });
});

describe('pg_net stand-in', () => {
  it('queues a POST, sends it only after commit, and stores the answer under the request id', async () => {
    await postgres.query('begin');
    const id = (await postgres.query(`select net.http_post($1, '{"hello": "world"}', '{"q": "a b"}', '{"X-Custom": "1"}') as id`, [`${base}/hook`])).rows[0].id;
    const queued = (await postgres.query('select method, url, headers, convert_from(body, $2) as body from net.http_request_queue where id = $1', [id, 'UTF8'])).rows[0];
    expect(queued).toEqual({ method: 'POST', url: `${base}/hook?q=a%20b`, headers: { 'X-Custom': '1', 'Content-Type': 'application/json' }, body: '{"hello": "world"}' });
    // A later request, committed from another session, is sent; the uncommitted one is not (the worker sees it not).
    const other = await db('postgres');
    const marker = (await other.query(`select net.http_get($1) as id`, [`${base}/marker`])).rows[0].id;
    await until(async () => (await other.query('select 1 from net._http_response where id = $1', [marker])).rows[0]);
    await other.end();
    expect(received.filter((r) => r.url === '/hook?q=a%20b')).toEqual([]);
    await postgres.query('commit');
    const answer = await until(async () => (await postgres.query('select * from net._http_response where id = $1', [id])).rows[0]);
    expect(answer).toMatchObject({ status_code: 201, content_type: 'application/json', content: '{"got":18}', timed_out: false, error_msg: null });
    expect(answer.headers['x-answer']).toBe('yes');
    const got = received.find((r) => r.url === '/hook?q=a%20b')!;
    expect([got.method, got.headers['x-custom'], got.headers['content-type'], got.body]).toEqual(['POST', '1', 'application/json', '{"hello": "world"}']);
    expect((await postgres.query('select count(*)::int as n from net.http_request_queue where id = $1', [id])).rows[0].n).toBe(0);
  });

  it('sends a GET with encoded params, records a failed connection as error_msg, refuses a non-JSON POST', async () => {
    const get = (await postgres.query(`select net.http_get($1, '{"a": "1&2"}') as id`, [`${base}/get`])).rows[0].id;
    const down = (await postgres.query(`select net.http_get('http://127.0.0.1:9/') as id`)).rows[0].id;
    const ok = await until(async () => (await postgres.query('select * from net._http_response where id = $1', [get])).rows[0]);
    expect(ok.status_code).toBe(201);
    expect(received.some((r) => r.method === 'GET' && r.url === '/get?a=1%262')).toBe(true);
    const failed = await until(async () => (await postgres.query('select * from net._http_response where id = $1', [down])).rows[0]);
    expect([failed.status_code, typeof failed.error_msg]).toEqual([null, 'string']);
    await expect(postgres.query(`select net.http_post($1, '{}', '{}', '{"Content-Type": "text/plain"}')`, [base])).rejects.toThrow(/must be "application\/json"/);
  });
});
