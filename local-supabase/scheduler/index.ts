// pg_cron's and pg_net's background workers for the stand-in (reference §9): runs cron.job's due jobs as their
// owners, logging each run in cron.job_run_details, and sends net.http_request_queue's requests after commit,
// storing each answer in net._http_response (kept six hours, as pg_net's default ttl).
import pg from 'pg';
import type { StackContext } from '../context.ts';
import { parseSchedule, type Schedule } from './cron-schedule.ts';

export interface Scheduler {
  /** Runs the jobs due at `at` (once per job per minute, or per N seconds); the timer calls it every second. */
  tick(at?: Date): Promise<void>;
  /** Sends every queued request; the worker calls it on pg_net's wake-up and every second. */
  sendQueued(): Promise<void>;
  stop(): Promise<void>;
}

interface JobRow { jobid: string; schedule: string; command: string; username: string; database: string }

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function startScheduler(ctx: StackContext): Scheduler {
  const lastRun = new Map<string, number>();
  const parsed = new Map<string, Schedule | null>();
  let stopped = false;
  let sending: Promise<void> | null = null;
  let listener: pg.Client | null = null;

  async function runJob(job: JobRow) {
    const { rows: [run] } = await ctx.pool.query<{ runid: string }>(
      `insert into cron.job_run_details (jobid, database, username, command, status, start_time) values ($1, $2, $3, $4, 'running', now()) returning runid`,
      [job.jobid, job.database, job.username, job.command],
    );
    const client = await ctx.pool.connect();
    let status = 'succeeded';
    let message = '';
    try {
      const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
      await ctx.pool.query('update cron.job_run_details set job_pid = $2 where runid = $1', [run?.runid, pid]);
      await client.query(`set role ${quoteIdent(job.username)}`);
      const result = (await client.query(job.command)) as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(result) ? result.at(-1) : result;
      message = last ? `${last.command ?? ''} ${last.rowCount ?? ''}`.trim() : '';
    } catch (err) {
      status = 'failed';
      message = (err as Error).message;
    } finally {
      await client.query('reset role').catch(() => undefined);
      client.release();
    }
    await ctx.pool.query(`update cron.job_run_details set status = $2, return_message = $3, end_time = now() where runid = $1`, [run?.runid, status, message]);
  }

  async function tick(at = new Date()) {
    const exists = await ctx.pool.query(`select to_regclass('cron.job') is not null as ok`);
    if (!exists.rows[0].ok) return;
    const { rows } = await ctx.pool.query<JobRow>(`select jobid::text, schedule, command, username, database from cron.job where active and database = current_database()`);
    const minute = Math.floor(at.getTime() / 60_000);
    const runs: Promise<void>[] = [];
    for (const job of rows) {
      if (!parsed.has(job.schedule)) {
        try {
          parsed.set(job.schedule, parseSchedule(job.schedule));
        } catch {
          parsed.set(job.schedule, null);
        }
      }
      const schedule = parsed.get(job.schedule);
      if (!schedule) continue;
      const key = `${job.jobid}:${job.schedule}`;
      const previous = lastRun.get(key);
      let due: boolean;
      let mark: number;
      if ('seconds' in schedule) {
        mark = at.getTime();
        due = previous === undefined || mark - previous >= schedule.seconds * 1000;
      } else {
        mark = minute;
        due = previous !== minute && schedule.matches(at);
      }
      if (!due) continue;
      lastRun.set(key, mark);
      runs.push(runJob(job).catch((err) => ctx.log('cron', `job ${job.jobid}: ${(err as Error).message}`)));
    }
    await Promise.all(runs);
  }

  async function sendOne(r: { id: string; method: string; url: string; headers: Record<string, string> | null; body: Buffer | null; timeout_milliseconds: number }) {
    const abort = AbortSignal.timeout(r.timeout_milliseconds);
    let row: unknown[];
    try {
      const res = await fetch(r.url, { method: r.method.toUpperCase(), headers: r.headers ?? {}, body: r.body && r.method.toUpperCase() !== 'GET' ? new Uint8Array(r.body) : undefined, signal: abort });
      const content = await res.text();
      row = [r.id, res.status, res.headers.get('content-type'), JSON.stringify(Object.fromEntries(res.headers)), content, false, null];
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      row = [r.id, null, null, null, null, timedOut, timedOut ? `Timeout of ${r.timeout_milliseconds} ms reached` : (err as Error).message];
    }
    await ctx.pool.query(`insert into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg) values ($1, $2, $3, $4, $5, $6, $7)`, row);
  }

  async function sendBatch() {
    const exists = await ctx.pool.query(`select to_regclass('net.http_request_queue') is not null as ok`);
    if (!exists.rows[0].ok) return;
    await ctx.pool.query(`delete from net._http_response where created < now() - interval '6 hours'`);
    for (;;) {
      const { rows } = await ctx.pool.query(
        `delete from net.http_request_queue where id in (select id from net.http_request_queue order by id limit 50 for update skip locked) returning id::text, method, url, headers, body, timeout_milliseconds`,
      );
      if (!rows.length) return;
      await Promise.all(rows.map(sendOne));
    }
  }

  function sendQueued(): Promise<void> {
    sending ??= sendBatch()
      .catch((err) => ctx.log('net', (err as Error).message))
      .finally(() => {
        sending = null;
      });
    return sending;
  }

  async function listen() {
    try {
      const client = new pg.Client({ connectionString: ctx.cfg.adminDbUrl });
      client.on('error', () => undefined);
      await client.connect();
      await client.query('listen local_supabase_net');
      client.on('notification', () => void sendQueued());
      if (stopped) await client.end();
      else listener = client;
    } catch (err) {
      ctx.log('net', `listen: ${(err as Error).message}`);
    }
  }
  void listen();
  const timer = setInterval(() => {
    if (stopped) return;
    void tick().catch((err) => ctx.log('cron', (err as Error).message));
    void sendQueued();
  }, 1000);
  timer.unref();

  return {
    tick,
    sendQueued,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await listener?.end().catch(() => undefined);
      await sending;
    },
  };
}
