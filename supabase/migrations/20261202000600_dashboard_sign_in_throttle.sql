-- Sign-in throttle for the dashboard. Hosted Auth sees every password attempt coming from the dashboard's one
-- address, so its own per-address limit cannot tell an attacker from the agents: the dashboard counts failed
-- attempts per email and per client address here, before it asks Auth. Called by the dashboard server with the
-- service role only.

create table private.dashboard_sign_in_attempts (
  attempt_id uuid not null,
  bucket text not null,
  attempted_at timestamptz not null default clock_timestamp()
);
create index dashboard_sign_in_attempts_bucket_idx on private.dashboard_sign_in_attempts (bucket, attempted_at desc);
create index dashboard_sign_in_attempts_attempt_idx on private.dashboard_sign_in_attempts (attempt_id);
comment on table private.dashboard_sign_in_attempts is 'Dashboard sign-in attempts that did not (yet) succeed, one row per bucket per attempt; pruned after a day.';
comment on column private.dashboard_sign_in_attempts.attempt_id is 'One sign-in attempt (its email and address rows share it); deleted when the attempt succeeds.';
comment on column private.dashboard_sign_in_attempts.bucket is 'What is counted: email:<lowercased email> or address:<client address>.';
comment on column private.dashboard_sign_in_attempts.attempted_at is 'When the attempt started.';
alter table private.dashboard_sign_in_attempts enable row level security;
revoke all on table private.dashboard_sign_in_attempts from public, anon, authenticated, service_role;

-- Counts an attempt against both buckets before Auth is asked, so a burst of parallel attempts cannot all slip
-- through between a check and a record. Returns {attempt_id} when allowed, else {retry_after} (seconds until the
-- oldest counted attempt in the fuller bucket leaves the window). A successful attempt is un-counted by
-- dashboard_sign_in_forget, so only failures (and attempts still in flight) count.
create function public.dashboard_sign_in_begin(
  p_email text, p_address text, p_email_max int, p_address_max int, p_window_seconds int
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  buckets text[] := array['address:' || coalesce(p_address, 'unknown'), 'email:' || lower(coalesce(p_email, ''))];
  maxes int[] := array[p_address_max, p_email_max];
  since timestamptz := clock_timestamp() - make_interval(secs => p_window_seconds);
  wait int := 0;
  hits int;
  oldest timestamptz;
  attempt uuid := gen_random_uuid();
begin
  -- Fixed order (address, then email) so two attempts never wait on each other's locks crosswise.
  perform pg_advisory_xact_lock(hashtext('dashboard_sign_in:' || buckets[1]));
  perform pg_advisory_xact_lock(hashtext('dashboard_sign_in:' || buckets[2]));
  for i in 1..2 loop
    select count(*), min(attempted_at) into hits, oldest
      from (select attempted_at from private.dashboard_sign_in_attempts
             where bucket = buckets[i] and attempted_at > since
             order by attempted_at desc limit maxes[i]) recent;
    if hits >= maxes[i] then
      wait := greatest(wait, ceil(extract(epoch from (oldest + make_interval(secs => p_window_seconds) - clock_timestamp())))::int, 1);
    end if;
  end loop;
  if wait > 0 then
    return jsonb_build_object('retry_after', wait);
  end if;
  insert into private.dashboard_sign_in_attempts (attempt_id, bucket) values (attempt, buckets[1]), (attempt, buckets[2]);
  if random() < 0.01 then
    delete from private.dashboard_sign_in_attempts where attempted_at < clock_timestamp() - interval '1 day';
  end if;
  return jsonb_build_object('attempt_id', attempt);
end;
$$;
comment on function public.dashboard_sign_in_begin(text, text, int, int, int) is
  'Dashboard sign-in throttle: counts an attempt per email and per client address, or returns retry_after when either already has its maximum of counted attempts in the window (service role only).';

-- An attempt that signed in (or that Auth could not answer) is no failed guess: forget it.
create function public.dashboard_sign_in_forget(p_attempt_id uuid) returns void
language sql security definer set search_path = '' as $$
  delete from private.dashboard_sign_in_attempts where attempt_id = p_attempt_id;
$$;
comment on function public.dashboard_sign_in_forget(uuid) is
  'Dashboard sign-in throttle: un-counts an attempt that signed in or that Auth could not answer (service role only).';

revoke all on function public.dashboard_sign_in_begin(text, text, int, int, int), public.dashboard_sign_in_forget(uuid)
  from public, anon, authenticated;
grant execute on function public.dashboard_sign_in_begin(text, text, int, int, int), public.dashboard_sign_in_forget(uuid)
  to service_role;
