// One run of a scheduled job as pg_cron runs it (its SQL at a given clock), then pg_net's answer from the Edge
// Function it kicked: the function's JSON, or null when nothing was due and no request left.
import type pg from 'pg';
import { expect } from 'vitest';

export type JobCounts = { sent: number; retrying: number; failed: number };

export async function runScheduledJob(db: pg.Client, job: 'private.run_email_job' | 'private.run_meta_delivery_job', now: string | Date): Promise<JobCounts | null> {
  const at = typeof now === 'string' ? now : now.toISOString();
  const id = (await db.query(`select ${job}($1) as id`, [at])).rows[0].id;
  if (id === null) return null;
  for (let i = 0; i < 300; i++) {
    const { rows } = await db.query('select status_code, content from net._http_response where id = $1', [id]);
    if (rows[0]) {
      expect(rows[0].status_code).toBe(200);
      return JSON.parse(rows[0].content);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer from ${job}`);
}
