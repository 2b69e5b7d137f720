-- Messenger/Instagram replies that met a Meta outage are sent again in the background (issue 23): a transient
-- failure plans the next attempt (meta_deliveries.next_attempt_at), and a pg_cron job every minute kicks the
-- meta-delivery-job Edge Function through pg_net when one is due, as the email job does (ADR 0014). The same
-- statements run hosted and locally (the stand-in provides pg_cron and pg_net with their tables and a worker).

alter table public.meta_deliveries add column next_attempt_at timestamptz;
comment on column public.meta_deliveries.next_attempt_at is 'When the background job sends it again after a transient failure (or a lease while a run sends it); null = no retry planned.';
alter table public.meta_deliveries add column retries int not null default 0 check (retries >= 0);
comment on column public.meta_deliveries.retries is 'Background retries made since the last send by an agent (the job gives up after its last planned one).';
create index meta_deliveries_due_idx on public.meta_deliveries (next_attempt_at) where next_attempt_at is not null;

create table private.meta_delivery_job (
  id boolean primary key default true check (id),
  job_secret text not null,
  functions_url text check (functions_url is null or functions_url ~ '^https?://')
);
alter table private.meta_delivery_job enable row level security;
revoke all on private.meta_delivery_job from public, anon, authenticated;
comment on table private.meta_delivery_job is 'The delivery retry job''s settings: its shared secret and the Edge Function''s URL.';
comment on column private.meta_delivery_job.id is 'Always true: one row.';
comment on column private.meta_delivery_job.job_secret is 'Sent by the scheduled job to meta-delivery-job, checked by the claim RPC.';
comment on column private.meta_delivery_job.functions_url is 'The meta-delivery-job function''s URL (set after deploy; null = the job does nothing).';
insert into private.meta_delivery_job (job_secret) values (encode(extensions.gen_random_bytes(32), 'hex'));

-- Due deliveries, leased to the caller for 5 minutes (a run that dies leaves them to the next one after the lease;
-- two overlapping runs never take the same row). Service role only, with the job secret.
create function public.meta_delivery_job_claim(p_secret text, p_now timestamptz default now(), p_limit int default 20)
returns setof uuid
language plpgsql security definer set search_path = '' as $$
begin
  if p_secret is null or not exists (select 1 from private.meta_delivery_job where job_secret = p_secret) then
    raise exception 'meta delivery job: wrong secret' using errcode = 'PLJ01';
  end if;
  return query
    with due as (
      select d.message_id from public.meta_deliveries d
       where d.next_attempt_at <= p_now and d.status = 'pending'
       order by d.next_attempt_at
       limit least(greatest(p_limit, 1), 100)
       for update skip locked
    )
    update public.meta_deliveries d set next_attempt_at = p_now + interval '5 minutes'
      from due where d.message_id = due.message_id
    returning d.message_id;
end;
$$;
comment on function public.meta_delivery_job_claim(text, timestamptz, int) is 'Leases the Messenger/Instagram deliveries due for a background retry to the meta-delivery-job function.';
revoke all on function public.meta_delivery_job_claim(text, timestamptz, int) from public, anon, authenticated;
grant execute on function public.meta_delivery_job_claim(text, timestamptz, int) to service_role;

-- One run: kick the function if a delivery is due. Returns the pg_net request id or null.
create function private.run_meta_delivery_job(p_now timestamptz default now()) returns bigint
language plpgsql security definer set search_path = '' as $$
declare
  job private.meta_delivery_job;
begin
  select * into job from private.meta_delivery_job;
  if job.functions_url is null
     or not exists (select 1 from public.meta_deliveries where next_attempt_at <= p_now and status = 'pending') then
    return null;
  end if;
  return net.http_post(
    url := job.functions_url,
    body := jsonb_build_object('now', p_now),
    headers := jsonb_build_object('Content-Type', 'application/json', 'X-Job-Secret', job.job_secret),
    timeout_milliseconds := 30000);
end;
$$;
comment on function private.run_meta_delivery_job(timestamptz) is 'The scheduled delivery retry: kick the meta-delivery-job function through pg_net when a delivery is due.';
revoke all on function private.run_meta_delivery_job(timestamptz) from public, anon, authenticated;

-- After deploy (hosted) or start (local): where the function is. Kept out of the migration: it differs per project.
create function private.set_meta_delivery_job_url(p_url text) returns void
language sql security definer set search_path = '' as $$
  update private.meta_delivery_job set functions_url = p_url
$$;
comment on function private.set_meta_delivery_job_url(text) is 'Sets the meta-delivery-job function''s URL the scheduled job calls.';
revoke all on function private.set_meta_delivery_job_url(text) from public, anon, authenticated;

select cron.schedule('porchlight-meta-delivery-job', '* * * * *', 'select private.run_meta_delivery_job()');
