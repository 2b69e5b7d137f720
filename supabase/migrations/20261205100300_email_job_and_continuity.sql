-- The email job's doors and the continuity link (issue 19, ADR 0014).
--
--   * private.email_job: one row of settings made here, never readable through the API. The job secret and the
--     continuity key are drawn at migration time by the database itself, so nothing (no Vault, no function
--     secret) has to be copied between the database and the function: the scheduled job sends the secret, the
--     function hands it back to the claim/result RPCs, which compare it. functions_url is the one thing set after
--     deploy (ADR 0014): the function's public URL.
--   * Claim: due queued emails, locked (skip locked) and leased for two minutes, with everything the mail says.
--     A crash after the send leaves the row queued: the next claim after the lease sends again with the same
--     Idempotency-Key (the row id), which the email API answers with the first send.
--   * Continuity token: "<email id>.<expiry>.<HMAC-SHA256>", signed with the continuity key, expiring after
--     seven days, redeemed once (continuity_redemptions). Forged, expired, reused or another widget's: one error,
--     nothing changed.

create table private.email_job (
  id boolean primary key default true check (id),
  job_secret text not null,
  continuity_key bytea not null,
  functions_url text check (functions_url is null or functions_url ~ '^https?://')
);
alter table private.email_job enable row level security;
revoke all on private.email_job from public, anon, authenticated;
comment on table private.email_job is 'The email job''s settings: its shared secret, the continuity-token key, the Edge Function''s URL.';
comment on column private.email_job.id is 'Always true: one row.';
comment on column private.email_job.job_secret is 'Sent by the scheduled job to the email-follow-up function, checked by the claim and result RPCs.';
comment on column private.email_job.continuity_key is 'HMAC key of continuity tokens.';
comment on column private.email_job.functions_url is 'The email-follow-up function''s URL (set after deploy; null = the job only queues).';
insert into private.email_job (job_secret, continuity_key)
values (encode(extensions.gen_random_bytes(32), 'hex'), extensions.gen_random_bytes(32));

create table public.continuity_redemptions (
  email_id uuid primary key references public.visitor_emails(id) on delete cascade,
  redeemed_at timestamptz not null default now(),
  user_id uuid not null references auth.users(id) on delete cascade
);
alter table public.continuity_redemptions enable row level security;
revoke all on public.continuity_redemptions from anon, authenticated;
grant all on public.continuity_redemptions to service_role;
comment on table public.continuity_redemptions is 'Continuity tokens already used (one redemption per email''s token).';
comment on column public.continuity_redemptions.email_id is 'The email whose link was used.';
comment on column public.continuity_redemptions.redeemed_at is 'When.';
comment on column public.continuity_redemptions.user_id is 'The (anonymous) auth user who opened it.';

create function private.base64url(p bytea) returns text
language sql immutable set search_path = '' as $$
  select translate(rtrim(encode(p, 'base64'), '='), E'+/\n', '-_')
$$;
revoke all on function private.base64url(bytea) from public, anon, authenticated;

create function private.continuity_token(p_email_id uuid, p_expires timestamptz) returns text
language sql stable security definer set search_path = '' as $$
  select p_email_id::text || '.' || extract(epoch from date_trunc('second', p_expires))::bigint::text || '.' ||
         private.base64url(extensions.hmac(convert_to(p_email_id::text || '.' || extract(epoch from date_trunc('second', p_expires))::bigint::text, 'UTF8'), j.continuity_key, 'sha256'))
    from private.email_job j
$$;
comment on function private.continuity_token(uuid, timestamptz) is 'The signed continuity token of an email, valid until p_expires.';
revoke all on function private.continuity_token(uuid, timestamptz) from public, anon, authenticated;

create function private.check_job_secret(p_secret text) returns void
language plpgsql stable security definer set search_path = '' as $$
begin
  if p_secret is null or not exists (select 1 from private.email_job where job_secret = p_secret) then
    raise exception 'email job: wrong secret' using errcode = 'PLJ01';
  end if;
end;
$$;
revoke all on function private.check_job_secret(text) from public, anon, authenticated;

-- Due emails with what they say, leased to the caller (service role, with the job secret).
create function public.email_job_claim(p_secret text, p_now timestamptz default now(), p_limit int default 20) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  result jsonb;
begin
  perform private.check_job_secret(p_secret);
  with due as (
    select e.id from public.visitor_emails e
     where e.status = 'queued' and e.next_attempt_at <= p_now
     order by e.next_attempt_at, e.id
     limit least(greatest(p_limit, 1), 100)
     for update skip locked
  ), leased as (
    update public.visitor_emails e set attempts = e.attempts + 1, next_attempt_at = p_now + interval '2 minutes'
      from due where e.id = due.id
    returning e.*
  )
  select coalesce(jsonb_agg(jsonb_build_object(
      'id', l.id, 'kind', l.kind, 'to', l.to_email, 'attempt', l.attempts,
      'company', co.name, 'replyTo', co.email_reply_to, 'pageUrl', c.started_page_url,
      'token', private.continuity_token(l.id, l.created_at + interval '7 days'),
      'messages', (select coalesce(jsonb_agg(jsonb_build_object('sender', m.sender_kind, 'author', m.author_name,
                      'body', m.body, 'at', m.created_at) order by m.created_at, m.id), '[]')
                     from public.messages m
                    where m.conversation_id = l.conversation_id
                      and not coalesce((to_jsonb(m) ->> 'is_private')::boolean, false) -- never a note (ADR 0015)
                      and case when l.kind = 'follow_up'
                               then m.id in (select x.message_id from public.visitor_email_messages x where x.email_id = l.id)
                               else m.sender_kind in ('visitor', 'agent', 'bot') end)
    ) order by l.next_attempt_at, l.id), '[]')
    into result
    from leased l
    join public.companies co on co.id = l.company_id
    join public.conversations c on c.id = l.conversation_id;
  return result;
end;
$$;
comment on function public.email_job_claim(text, timestamptz, int) is 'Leases the emails due at p_now (attempts + 1, two-minute lease) and returns what each says (service role, job secret).';
revoke all on function public.email_job_claim(text, timestamptz, int) from public, anon, authenticated;
grant execute on function public.email_job_claim(text, timestamptz, int) to service_role;

-- The outcome of one attempt: sent (final), or a retry with backoff (30 s doubling, at most an hour), or failed
-- after the eighth attempt or a permanent refusal.
create function public.email_job_result(p_secret text, p_id uuid, p_ok boolean, p_provider_id text default null,
  p_error text default null, p_permanent boolean default false, p_now timestamptz default now()) returns void
language plpgsql security definer set search_path = '' as $$
begin
  perform private.check_job_secret(p_secret);
  update public.visitor_emails e set
    status = case when p_ok then 'sent'::public.visitor_email_status
                  when p_permanent or e.attempts >= 8 then 'failed' else 'queued' end,
    sent_at = case when p_ok then p_now end,
    provider_id = case when p_ok then left(p_provider_id, 200) else e.provider_id end,
    last_error = case when p_ok then null else left(coalesce(p_error, 'unknown error'), 500) end,
    next_attempt_at = case when p_ok then e.next_attempt_at
                           else p_now + least(interval '1 hour', interval '30 seconds' * power(2, greatest(e.attempts - 1, 0))) end
   where e.id = p_id and e.status = 'queued';
end;
$$;
comment on function public.email_job_result(text, uuid, boolean, text, text, boolean, timestamptz) is 'Records one send attempt''s outcome (service role, job secret); a sent email is final.';
revoke all on function public.email_job_result(text, uuid, boolean, text, text, boolean, timestamptz) from public, anon, authenticated;
grant execute on function public.email_job_result(text, uuid, boolean, text, text, boolean, timestamptz) to service_role;

-- The continuity link: opens the email's conversation for the widget's current (anonymous) user, once.
create function public.widget_resume(p_widget_key text, p_origin text, p_user_id uuid, p_token text, p_now timestamptz default now())
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  parts text[] := string_to_array(coalesce(p_token, ''), '.');
  email public.visitor_emails;
  expires timestamptz;
  company uuid;
  owner uuid;
  mine uuid;
begin
  company := private.widget_company(p_widget_key, p_origin);
  if array_length(parts, 1) is distinct from 3 or parts[1] !~ '^[0-9a-f-]{36}$' or parts[2] !~ '^[0-9]{1,12}$' then
    raise exception 'continuity_token_invalid' using errcode = 'PLT01';
  end if;
  select * into email from public.visitor_emails where id = parts[1]::uuid for update;
  expires := to_timestamp(parts[2]::bigint);
  if email.id is null or email.company_id <> company or expires <= p_now
     or private.continuity_token(email.id, expires) <> p_token
     or exists (select 1 from public.continuity_redemptions r where r.email_id = email.id) then
    raise exception 'continuity_token_invalid' using errcode = 'PLT01';
  end if;
  select v.id into owner from public.conversations c join public.visitors v on v.id = c.visitor_id where c.id = email.conversation_id;
  select v.id into mine from public.visitors v where v.company_id = company and v.user_id = p_user_id;
  if mine is not null and mine <> owner then
    -- This browser's own visitor record: given up if it never chatted, else the link cannot take it over.
    if exists (select 1 from public.conversations c where c.visitor_id = mine) then
      raise exception 'continuity_token_invalid' using errcode = 'PLT01';
    end if;
    delete from public.visitors where id = mine;
  end if;
  insert into public.continuity_redemptions (email_id, user_id) values (email.id, p_user_id);
  update public.visitors set user_id = p_user_id, last_seen_at = p_now where id = owner and user_id <> p_user_id;
  return email.conversation_id;
end;
$$;
comment on function public.widget_resume(text, text, uuid, text, timestamptz) is
  'Redeems a continuity token once for the widget found by key and origin: the conversation''s visitor moves to p_user_id; refusals raise PLW04/PLT01 and change nothing (service role only).';
revoke all on function public.widget_resume(text, text, uuid, text, timestamptz) from public, anon, authenticated;
grant execute on function public.widget_resume(text, text, uuid, text, timestamptz) to service_role;
