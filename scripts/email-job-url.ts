// Points the scheduled email job at this stack's email-follow-up function (what an operator does once after a
// hosted deploy: `select private.set_email_job_url('https://<ref>.supabase.co/functions/v1/email-follow-up')`).
import pg from 'pg';

export async function setEmailJobUrl(adminDbUrl: string, url: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminDbUrl });
  await client.connect();
  try {
    await client.query('select private.set_email_job_url($1)', [url]);
  } finally {
    await client.end();
  }
}
