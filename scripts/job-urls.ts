// Points the scheduled jobs at this stack's Edge Functions: the email follow-up and the Messenger/Instagram
// delivery retry (what an operator does once after a hosted deploy, with the project's functions URL:
// `select private.set_email_job_url('https://<ref>.supabase.co/functions/v1/email-follow-up')` and
// `select private.set_meta_delivery_job_url('https://<ref>.supabase.co/functions/v1/meta-delivery-job')`).
import pg from 'pg';

export async function setJobUrls(adminDbUrl: string, functionsUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminDbUrl });
  await client.connect();
  try {
    await client.query('select private.set_email_job_url($1)', [`${functionsUrl}/email-follow-up`]);
    await client.query('select private.set_meta_delivery_job_url($1)', [`${functionsUrl}/meta-delivery-job`]);
  } finally {
    await client.end();
  }
}
