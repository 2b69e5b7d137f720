-- The email job's schedule (issue 19, ADR 0014): Supabase's own way, pg_cron every minute, which queues the due
-- follow-ups in SQL and, when emails are due and the function's URL is set, kicks the email-follow-up Edge
-- Function with pg_net (asynchronous: the request leaves after commit). The same statements run hosted and
-- locally (the stand-in provides both extensions with their tables and a worker).

create extension if not exists pg_cron;
create extension if not exists pg_net with schema extensions;

-- One run: queue what is due at p_now; kick the sender if anything is due. Returns the pg_net request id or null.
create function private.run_email_job(p_now timestamptz default now()) returns bigint
language plpgsql security definer set search_path = '' as $$
declare
  job private.email_job;
begin
  perform private.enqueue_follow_ups(p_now);
  select * into job from private.email_job;
  if job.functions_url is null
     or not exists (select 1 from public.visitor_emails where status = 'queued' and next_attempt_at <= p_now) then
    return null;
  end if;
  return net.http_post(
    url := job.functions_url,
    body := jsonb_build_object('now', p_now),
    headers := jsonb_build_object('Content-Type', 'application/json', 'X-Email-Job-Secret', job.job_secret),
    timeout_milliseconds := 10000);
end;
$$;
comment on function private.run_email_job(timestamptz) is 'The scheduled email job: queue due follow-ups, then kick the email-follow-up function through pg_net.';
revoke all on function private.run_email_job(timestamptz) from public, anon, authenticated;

-- After deploy (hosted) or start (local): where the function is. Kept out of the migration: it differs per project.
create function private.set_email_job_url(p_url text) returns void
language sql security definer set search_path = '' as $$
  update private.email_job set functions_url = p_url
$$;
comment on function private.set_email_job_url(text) is 'Sets the email-follow-up function''s URL the scheduled job calls.';
revoke all on function private.set_email_job_url(text) from public, anon, authenticated;

select cron.schedule('porchlight-email-job', '* * * * *', 'select private.run_email_job()');
